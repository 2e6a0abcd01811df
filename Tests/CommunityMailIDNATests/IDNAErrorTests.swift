import CommunityMailIDNA
import CommunityMailSystem
import Testing

@Suite("IDNAError classification")
struct IDNAErrorTests {
    @Test("a malformed name is never transient")
    func neverTransient() {
        let error = #expect(throws: IDNAError.emptyLabel) { try DomainName.toASCII("a..b") }
        #expect(error?.isTransient == false)
        #expect(error?.isTransientFailure == false)
    }
}
