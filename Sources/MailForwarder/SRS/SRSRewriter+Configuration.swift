public import CommunityMailSystem

extension SRSRewriter {
    /// What an ``SRSRewriter`` signs with and what it accepts back.
    ///
    /// The defaults are postsrsd's and libsrs2's, so that a postsrsd run with the same
    /// secret and domain writes and reads the same addresses.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The domain of every rewritten address (`SRS0=…@domain`); bounces to it come
        /// back to the forwarder. Senders on it are never rewritten. Compared without
        /// regard to ASCII case.
        public var domain: String
        /// The HMAC-SHA1 keys, as bytes (postsrsd reads each line of its secret file as
        /// one). The first signs new addresses; every one verifies, so a new secret is put
        /// first and an old one kept behind it for ``maximumAge`` days before it is removed.
        public var secrets: [[UInt8]]
        /// Further domains of ours whose senders are not rewritten (mail from our own
        /// members passes SPF for them already). Default: none.
        public var localDomains: [String] = []
        /// How many base64 characters of the HMAC an address carries, 4...27. Default: 4
        /// (postsrsd, libsrs2). A reversed hash must have exactly this length.
        public var hashLength: Int = 4
        /// How many days an SRS0 address reverses after the day it was made. Default: 21
        /// (postsrsd, libsrs2: a stamp of today or of one of the 21 days before).
        public var maximumAge: Int = 21
        /// How many days ahead of today a stamp may be (another forwarder sharing the
        /// secret whose clock is ahead, a reversal just before midnight). Default: 1.
        /// postsrsd accepts none; with 0 this rewriter accepts exactly what postsrsd does.
        public var futureTolerance: Int = 1
        /// The character after `SRS0`/`SRS1`. Default: `=` (every other separator in the
        /// address is `=`, as the scheme fixes).
        public var separator: Separator = .equals
        /// Where "today" comes from. Default: `SystemClock()`; tests use a `ManualClock`.
        public var clock: any ServiceClock = SystemClock()

        /// A configuration for `domain` with `secrets` (first signs, all verify) and the
        /// defaults above.
        public init(domain: String, secrets: [[UInt8]]) {
            self.domain = domain
            self.secrets = secrets
        }

        /// A configuration for `domain` with text secrets, each used as its UTF-8 bytes
        /// (a postsrsd secret file's lines).
        public init(domain: String, secrets: [String]) {
            self.init(domain: domain, secrets: secrets.map { Array($0.utf8) })
        }

        /// The settings without the secrets (only how many there are).
        public var description: String {
            "SRSRewriter.Configuration(domain: \(domain), secrets: \(secrets.count), localDomains: \(localDomains.count), "
                + "hashLength: \(hashLength), maximumAge: \(maximumAge), futureTolerance: \(futureTolerance), "
                + "separator: \(separator.rawValue))"
        }
    }

    /// The character that follows the `SRS0`/`SRS1` tag.
    public enum Separator: String, Sendable, CaseIterable {
        /// `SRS0=…`, the usual one.
        case equals = "="
        /// `SRS0+…`, for sites whose MTA treats `+` as the recipient delimiter.
        case plus = "+"
        /// `SRS0-…`, for sites whose MTA treats `-` as the recipient delimiter.
        case minus = "-"
    }
}
