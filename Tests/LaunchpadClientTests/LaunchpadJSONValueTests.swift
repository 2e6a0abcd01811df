import Foundation
import Testing

@testable import LaunchpadClient

@Suite("The JSON reader the client decodes with")
struct LaunchpadJSONValueTests {
    func parse(_ text: String) throws -> LaunchpadJSONValue { try LaunchpadJSONValue.parse(Data(text.utf8)) }

    @Test("Scalars keep their kinds: integers, doubles, booleans, null")
    func scalars() throws {
        #expect(try parse("1") == .integer(1))
        #expect(try parse("-42") == .integer(-42))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("2e3") == .double(2000))
        #expect(try parse("true") == .bool(true))
        #expect(try parse(" false ") == .bool(false))
        #expect(try parse("null") == .null)
    }

    @Test("Strings: escapes, \\u escapes, surrogate pairs, raw UTF-8")
    func strings() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t""#) == .string("a\"b\\c/d\n\t"))
        #expect(try parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
        #expect(try parse("\"Zoë 日本\"") == .string("Zoë 日本"))
    }

    @Test("Objects and arrays, nested")
    func containers() throws {
        let value = try parse(#"{"entries": [{"name": "a"}, {}], "start": 0, "empty": []}"#)
        #expect(value == .object([
            "entries": .array([.object(["name": .string("a")]), .object([:])]), "start": .integer(0), "empty": .array([]),
        ]))
    }

    @Test("Malformed input is refused, never crashes", arguments: [
        "", "{", "[1,", "{\"a\" 1}", "{\"a\":}", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "1 2", "{} x",
        "[1,]", "-", "\"a\u{01}b\"", "{1: 2}",
    ])
    func malformed(text: String) {
        #expect(throws: LaunchpadJSONValue.ParseError.self) { try parse(text) }
    }

    @Test("Nesting deeper than the limit is refused")
    func depth() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: LaunchpadJSONValue.ParseError.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        _ = try parse(fine)
    }

    @Test("Random bytes never crash the reader")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("{}[]\":,\\u0123456789.eE+-truefalsnl \n\"ab".utf8)
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? LaunchpadJSONValue.parse(Data(bytes))
        }
    }
}
