import CommunityMailIDNA
import Testing

@Suite("Punycode (RFC 3492) and IDNA A-labels")
struct DomainNameTests {
    // RFC 3492 section 7.1 samples, written as Unicode scalars.
    @Test("RFC 3492 section 7.1 sample strings", arguments: [
        ([0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643, 0x0644, 0x0645, 0x0648, 0x0634, 0x0639,
          0x0631, 0x0628, 0x064A, 0x061F], "egbpdaj6bu4bxfgehfvwxn"),
        ([0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587], "ihqwcrb4cv8a8dqg056pqjye"),
        ([0x50, 0x72, 0x6f, 0x10d, 0x70, 0x72, 0x6f, 0x73, 0x74, 0x11b, 0x6e, 0x65, 0x6d, 0x6c, 0x75, 0x76, 0xed,
          0x10d, 0x65, 0x73, 0x6b, 0x79], "Proprostnemluvesky-uyb24dma41a"),
        ([0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F], "3B-ww4c5e180e575a65lsy2b"),
        ([0x3072, 0x3068, 0x3064, 0x5C4B, 0x6839, 0x306E, 0x4E0B, 0x0032], "2-u9tlzr9756bt3uc0v"),
    ])
    func rfcSamples(scalars: [UInt32], expected: String) throws {
        let text = String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
        #expect(Punycode.encode(text) == expected)
        #expect(Punycode.decode(expected) == text)
    }

    @Test("Domain names to A-labels and back")
    func domains() throws {
        #expect(try DomainName.toASCII("Ubuntu.COM.") == "ubuntu.com")
        #expect(try DomainName.toASCII("bücher.example") == "xn--bcher-kva.example")
        #expect(try DomainName.toASCII("ÜBUNTU。example") == "xn--buntu-jva.example")
        #expect(try DomainName.toASCII("xn--bcher-kva.example") == "xn--bcher-kva.example")
        #expect(DomainName.toUnicode("xn--bcher-kva.example") == "bücher.example")
        var rules = DomainName.Rules()
        rules.allowUnderscore = true
        #expect(try DomainName.toASCII("_dmarc.ubuntu.com", rules: rules) == "_dmarc.ubuntu.com")
    }

    @Test("Invalid names are typed errors")
    func invalid() {
        #expect(throws: IDNAError.empty) { try DomainName.toASCII("") }
        #expect(throws: IDNAError.emptyLabel) { try DomainName.toASCII("a..b") }
        #expect(throws: IDNAError.labelTooLong) { try DomainName.toASCII(String(repeating: "a", count: 64) + ".com") }
        #expect(throws: IDNAError.nameTooLong) {
            try DomainName.toASCII(Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: "."))
        }
        #expect(throws: IDNAError.invalidCharacter) { try DomainName.toASCII("exa mple.com") }
        #expect(throws: IDNAError.invalidCharacter) { try DomainName.toASCII("_dmarc.example.com") }
        #expect(throws: IDNAError.invalidHyphen) { try DomainName.toASCII("-a.com") }
        #expect(throws: IDNAError.invalidHyphen) { try DomainName.toASCII("ab--c.com") }
        #expect(throws: IDNAError.invalidPunycode) { try DomainName.toASCII("xn--99999999999.com") }
        #expect(Punycode.decode("abc-\u{e9}") == nil)
    }

    @Test("Labels too long to fit 63 octets are refused before Punycode sees them", .timeLimit(.minutes(1)))
    func overlongUnicodeLabels() throws {
        // 16,000 code points took 1.4 s to encode (Punycode is quadratic), 100,000 take
        // minutes: the length check must come first.
        // Distinct code points: Punycode makes one pass over the label per code point value.
        for count in [16_000, 100_000] {
            let label = String(String.UnicodeScalarView((0..<count).compactMap { Unicode.Scalar(0x4E00 + UInt32($0 % 20_000)) }))
            #expect(throws: IDNAError.labelTooLong) { try DomainName.toASCII("ubuntu." + label + ".example") }
        }
        // 59 non-ASCII code points could fit `xn--` + 59; 60 cannot.
        #expect(throws: IDNAError.labelTooLong) { try DomainName.toASCII(String(repeating: "\u{4E2D}", count: 60) + ".example") }
        #expect(throws: IDNAError.labelTooLong) { try DomainName.toASCII(String(repeating: "\u{E9}", count: 30) + String(repeating: "a", count: 30)) }
        #expect(try DomainName.toASCII(String(repeating: "\u{E9}", count: 20) + ".example").hasPrefix("xn--"))
        // A whole name too long to fit 253 octets, of many short labels.
        #expect(throws: IDNAError.nameTooLong) { try DomainName.toASCII(Array(repeating: "\u{E9}", count: 100_000).joined(separator: ".")) }
    }

    @Test("Error messages name the label's position and the byte, never the label's text")
    func messagesCarryNoLabels() {
        let cases: [(String, IDNAError)] = [
            ("evil\r\nInjected: yes.example", .invalidCharacter),
            ("secret-" + String(repeating: "x", count: 70) + ".example", .labelTooLong),
            ("secret" + String(repeating: "\u{E9}", count: 70) + ".example", .labelTooLong),
            ("xn--secret" + String(repeating: "x", count: 70) + ".example", .labelTooLong),
            ("xn--secret-99999999.example", .invalidPunycode),
            ("-secret.example", .invalidHyphen),
        ]
        for (name, expected) in cases {
            do {
                _ = try DomainName.toASCII(name)
                Issue.record("\(expected) expected")
            } catch {
                #expect(error == expected)
                #expect(!error.message.contains("secret") && !error.message.contains("\r") && !error.message.contains("evil"), "\(error.message)")
            }
        }
        #expect((try? DomainName.toASCII("a\rb.example")) == nil)
        do {
            _ = try DomainName.toASCII("ok.a\rb.example")
        } catch {
            #expect(error.message.contains("label 2") && error.message.contains("0xD"), "\(error.message)")
        }
    }

    /// The A-label of a Unicode label, written directly, bypassing the checks on the Unicode side.
    static func aLabel(_ unicode: String) -> String { "xn--" + (Punycode.encode(unicode) ?? "") }

    @Test("xn-- labels must decode to a valid U-label that encodes back to them")
    func aLabelsAreValidated() throws {
        // A second spelling of an ASCII label, in any case of the prefix.
        for spoof in ["xn--ubuntu-.com", "XN--UBUNTU-.com", "Xn--ubuntu-.com", "xn--a-.example"] {
            #expect(throws: IDNAError.invalidPunycode, "\(spoof)") { try DomainName.toASCII(spoof) }
            #expect(DomainName.toUnicode(spoof) == spoof)
        }
        #expect(throws: IDNAError.invalidPunycode) { try DomainName.toASCII("xn--.com") }
        #expect(throws: IDNAError.invalidPunycode) { try DomainName.toASCII("xn---.com") }
        // Not in normal form: decomposed, or uppercase, code points.
        #expect(throws: IDNAError.invalidPunycode) { try DomainName.toASCII(Self.aLabel("bu\u{308}cher") + ".example") }
        #expect(throws: IDNAError.invalidPunycode) { try DomainName.toASCII(Self.aLabel("BÜCHER") + ".example") }
        // Too long, refused before decoding.
        #expect(throws: IDNAError.labelTooLong) { try DomainName.toASCII("xn--" + String(repeating: "a", count: 59) + "-kva.example") }
        #expect(throws: IDNAError.labelTooLong) { try DomainName.toASCII("xn--" + String(repeating: "9", count: 100_000)) }
        // Valid A-labels still pass, in any case.
        #expect(try DomainName.toASCII("XN--BCHER-KVA.example") == "xn--bcher-kva.example")
        #expect(try DomainName.toASCII("xn--e1afmkfd.xn--80akhbyknj4f") == "xn--e1afmkfd.xn--80akhbyknj4f")
        #expect(DomainName.toUnicode("XN--BCHER-KVA.example") == "bücher.example")
    }

    @Test("Controls, format and bidi characters, separators and leading marks are refused in both forms",
          arguments: ["a\u{202E}b", "a\u{200F}b", "a\u{2066}b", "a\u{200B}b", "a\u{200D}b", "a\u{00AD}b", "a\u{0085}b",
                      "a\u{00A0}b", "a\u{2028}b", "a\u{E000}b", "a\u{FFFF}b", "a\u{0378}b", "\u{0301}ab", "\u{20DD}ab"])
    func disallowedCodePoints(label: String) {
        #expect(throws: IDNAError.invalidCodePoint) { try DomainName.toASCII(label + ".example") }
        #expect(throws: IDNAError.invalidCodePoint) { try DomainName.toASCII(Self.aLabel(label) + ".example") }
        #expect(DomainName.toUnicode(Self.aLabel(label) + ".example").hasPrefix("xn--"))
    }

    @Test("Hyphens in a U-label: not first, not last, not in positions 3 and 4")
    func uLabelHyphens() throws {
        for label in ["-bücher", "bücher-", "ab--ü", "xn--ü"] {
            #expect(throws: IDNAError.invalidHyphen, "\(label)") { try DomainName.toASCII(label + ".example") }
            #expect(throws: IDNAError.invalidHyphen, "\(label)") { try DomainName.toASCII(Self.aLabel(label) + ".example") }
        }
        #expect(try DomainName.toASCII("a-b-ü.example") == Self.aLabel("a-b-ü") + ".example")
    }
}
