// `Scripts/fuzz-dns [COUNT] [SEED]`: feeds random and mutated packets to the DNSVerify
// decoder. Every input must decode or fail with a DNSError (a trap ends the process,
// which the script reports), and whatever decodes must re-encode and decode to the same
// message. Exit status 0 when all inputs behaved, 1 otherwise.
import CommunityMailTestSupport
import DNSVerify
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.first.flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? 1_000_000
let seed = arguments.dropFirst().first.flatMap { UInt64($0) } ?? UInt64(Date().timeIntervalSince1970)

func name(_ text: String) -> DNSName { (try? DNSName(text)) ?? .root }

/// Valid messages to mutate: queries, positive and negative answers, EDNS, long TXT.
func seeds() -> [[UInt8]] {
    let origin = name("example.org")
    let soa = DNSRecord(name: origin, ttl: 3600, data: .soa(DNSStartOfAuthority(
        primaryServer: name("ns1.example.org"), responsibleMailbox: name("hostmaster.example.org"), serial: 1,
        refresh: 3600, retry: 600, expire: 86400, minimum: 300)))
    var answer = DNSMessage(header: DNSHeader(id: 1, isResponse: true, isAuthoritative: true),
                            questions: [DNSQuestion(name: origin, type: .mx)])
    answer.answers = [
        DNSRecord(name: name("www.example.org"), ttl: 60, data: .cname(origin)),
        DNSRecord(name: origin, ttl: 300, data: .mx(preference: 10, exchange: name("mx1.example.org"))),
        DNSRecord(name: origin, ttl: 300, data: .txt(text: String(repeating: "v=DKIM1; p=", count: 30))),
        DNSRecord(name: origin, ttl: 300, data: .unknown(type: DNSRecordType(rawValue: 257), data: [0, 5, 105, 115, 115, 117, 101])),
    ]
    if let address = try? DNSAddress("192.0.2.1") { answer.answers.append(DNSRecord(name: origin, ttl: 5, data: .a(address))) }
    if let address = try? DNSAddress("2001:db8::53") { answer.additionals.append(DNSRecord(name: name("ns1.example.org"), ttl: 5, data: .aaaa(address))) }
    answer.authorities = [soa, DNSRecord(name: origin, ttl: 3600, data: .ns(name("ns1.example.org")))]
    answer.additionals.append(DNSRecord(name: .root, ttl: 0, data: .opt([DNSOption(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])]),
                                        recordClass: DNSRecordClass(rawValue: 1232)))
    var negative = DNSMessage(header: DNSHeader(id: 2, isResponse: true, responseCode: 3),
                              questions: [DNSQuestion(name: name("_dmarc.bücher.example"), type: .txt)])
    negative.authorities = [soa]
    let query = DNSMessage.query(id: 3, question: DNSQuestion(name: name("selector._domainkey.example.org"), type: .txt))
    return [answer, negative, query].compactMap { try? $0.encoded() }
}

var mutator = ByteMutator(seeds: seeds(), seed: seed)
print("dns-fuzz: \(count) inputs, seed \(seed)")
let start = Date()
var decoded = 0, rejected = 0, problems = 0
for index in 0..<count {
    let input = mutator.next()
    do {
        let message = try DNSMessage(decoding: input)
        decoded += 1
        let again = try message.encoded()
        guard try DNSMessage(decoding: again) == message else {
            problems += 1
            print("unstable round trip for input \(input.map { String(format: "%02x", $0) }.joined())")
            continue
        }
    } catch {
        // Typed throws: the decoder and encoder can only throw DNSError.
        rejected += 1
    }
    if (index + 1) % 250_000 == 0 { print("  \(index + 1) inputs, \(decoded) decoded, \(rejected) rejected") }
}
let seconds = Date().timeIntervalSince(start)
print("dns-fuzz: \(count) inputs in \(String(format: "%.1f", seconds)) s: \(decoded) decoded, \(rejected) rejected with DNSError, \(problems) problems")
exit(problems == 0 ? 0 : 1)
