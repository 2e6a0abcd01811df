/// A problem reading the suite itself (not a test failure of ours).
struct SuiteError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
