import CommunityMailSystem
import Foundation

/// The Sender Rewriting Scheme (SRS) of libsrs2 and postsrsd: rewrites a forwarded
/// message's envelope sender onto the forwarder's own domain, so that SPF still passes at
/// the destination, and turns bounces to that address back into the original sender.
///
/// - `forward("alice@origin.example")` → `SRS0=HHHH=TT=origin.example=alice@srs.example`,
///   where `HHHH` is the start of the base64 HMAC-SHA1 of `TT`, the domain and the local
///   part (lower-cased, ASCII only) under the first secret, and `TT` the day stamp.
/// - A sender another forwarder already rewrote to SRS0 becomes SRS1, which keeps that
///   forwarder's address and adds our hash: `SRS1=GGGG=fwd1.example==HHHH=TT=…@srs.example`.
///   An SRS1 sender keeps its first forwarder and gets our hash.
/// - `reverse` checks the hash (any configured secret, either case) and, for SRS0, the age
///   of the stamp, then gives back the original sender (SRS0) or the first forwarder's SRS0
///   address (SRS1).
///
/// With the same secret, domain, hash length and day, the strings are byte for byte those
/// of postsrsd 1.x, libsrs2, python3-srs (`SRS.Guarded`) and PyPI `srslib`, except where
/// ``Configuration`` or the refusals below say otherwise.
///
/// Refused with ``SRSError``: addresses without exactly one `@`, with spaces or control
/// characters, longer than ``maximumAddressLength`` bytes, quoted local parts and domain
/// literals. UTF-8 local parts and domains (SMTPUTF8) are rewritten as bytes; only ASCII
/// letters are lower-cased for the hash, as postsrsd does (the Python peers lower-case
/// every Unicode letter, so for a sender with non-ASCII capitals they disagree with
/// postsrsd, and this rewriter sides with postsrsd). A rewritten local part may exceed
/// RFC 5321's 64 octets: every SRS implementation produces such addresses and MTAs accept
/// them.
public struct SRSRewriter: Sendable {
    /// The longest address, in bytes, that `forward` accepts or makes and `reverse` accepts:
    /// twice RFC 5321's 256-octet path, which leaves room for SRS1 chains.
    public static let maximumAddressLength = 512

    /// The settings this rewriter was made with.
    public let configuration: Configuration
    /// The SRS domain, lower-cased.
    private let domain: [UInt8]
    /// The SRS domain and the local domains, lower-cased: senders there are not rewritten.
    private let ownDomains: [[UInt8]]

    /// A rewriter with `configuration`.
    /// - Throws: ``SRSError/invalidConfiguration`` for no secret or an empty one, a hash
    ///   length outside 4...27, a maximum age below 1 or a window (age plus tolerance) of
    ///   1024 days or more, a negative tolerance, or an empty or malformed SRS domain.
    public init(configuration: Configuration) throws(SRSError) {
        guard !configuration.secrets.isEmpty, configuration.secrets.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidConfiguration.with(message: "SRS needs at least one secret, and no secret may be empty")
        }
        guard (4...27).contains(configuration.hashLength) else {
            throw .invalidConfiguration.with(message: "the SRS hash length must be between 4 and 27")
        }
        guard configuration.maximumAge >= 1, configuration.futureTolerance >= 0,
            configuration.maximumAge + configuration.futureTolerance < SRSDayStamp.slots
        else {
            throw .invalidConfiguration.with(
                message: "the SRS maximum age must be at least 1 day, the tolerance not negative, and both together under 1024 days")
        }
        let domains = [configuration.domain] + configuration.localDomains
        for domain in domains {
            guard Self.isPlainDomain(Array(domain.utf8)) else {
                throw .invalidConfiguration.with(message: "an SRS or local domain is empty or not a plain domain name")
            }
        }
        self.configuration = configuration
        domain = Self.lowercased(Array(configuration.domain.utf8))
        ownDomains = domains.map { Self.lowercased(Array($0.utf8)) }
    }

    /// The envelope sender to relay with in place of `sender`.
    ///
    /// The null sender (empty or `<>`) and senders on the SRS domain or a local domain
    /// come back unchanged; an SRS0 sender of another forwarder becomes SRS1; an SRS1
    /// sender gets our hash and keeps its first forwarder; any other sender becomes SRS0.
    /// - Parameter sender: the reverse-path without angle brackets (`alice@origin.example`).
    /// - Throws: ``SRSError/malformedAddress`` or ``SRSError/unsupportedAddress``.
    public func forward(_ sender: String) throws(SRSError) -> String {
        if sender.isEmpty || sender == "<>" { return sender }
        let (local, host) = try Self.split(sender)
        if isOwnDomain(host) { return sender }
        let tag = configuration.separator.rawValue.utf8.first!
        let equals = UInt8(ascii: "=")
        var output: [UInt8] = []
        output.reserveCapacity(sender.utf8.count + domain.count + configuration.hashLength + 16)
        if Self.hasTag(local, "srs1") {
            // SRS1<sep>hash=first-forwarder=opaque: the first forwarder and its opaque part
            // stay, our hash replaces the previous forwarder's.
            let rest = local.dropFirst(5)
            guard let hashEnd = rest.firstIndex(of: equals), hashEnd > rest.startIndex else {
                throw .malformedAddress.with(message: "the SRS1 sender has no hash")
            }
            let afterHash = rest[(hashEnd + 1)...]
            guard let hostEnd = afterHash.firstIndex(of: equals), hostEnd > afterHash.startIndex else {
                throw .malformedAddress.with(message: "the SRS1 sender has no first forwarder")
            }
            let firstHost = afterHash[..<hostEnd]
            let opaque = afterHash[(hostEnd + 1)...]
            guard !opaque.isEmpty else { throw .malformedAddress.with(message: "the SRS1 sender has no SRS0 part") }
            let hash = try signature(of: [firstHost, opaque])
            output += Array("SRS1".utf8) + [tag] + hash + [equals] + firstHost + [equals] + opaque
        } else if Self.hasTag(local, "srs0") {
            // Another forwarder's SRS0: keep its part after the tag (separator included),
            // which only it can check, behind its domain.
            let opaque = local.dropFirst(4)
            let hash = try signature(of: [host, opaque])
            output += Array("SRS1".utf8) + [tag] + hash + [equals] + host + [equals] + opaque
        } else {
            let stamp = SRSDayStamp(date: configuration.clock.now()).text
            let hash = try signature(of: [stamp[...], host, local])
            output += Array("SRS0".utf8) + [tag] + hash + [equals] + stamp + [equals] + host + [equals] + local
        }
        output += [UInt8(ascii: "@")] + Array(configuration.domain.utf8)
        // Whatever we make must reverse, and reversal takes no more than the limit.
        guard output.count <= Self.maximumAddressLength else {
            throw .malformedAddress.with(message: "the rewritten address would be longer than \(Self.maximumAddressLength) bytes")
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The address a bounce to `address` goes back to: the original sender of an SRS0
    /// address we made, or the first forwarder's SRS0 address for an SRS1 address.
    ///
    /// The hash is accepted from any configured secret and in either case (a relay may
    /// smash the case of a local part); SRS0's stamp must be at most ``Configuration/maximumAge``
    /// days old or at most ``Configuration/futureTolerance`` days ahead. SRS1 carries no
    /// stamp of ours (the first forwarder checks its own).
    /// - Parameter address: the recipient, without angle brackets.
    /// - Throws: ``SRSError/notSRSAddress`` when `address` is not SRS0 or SRS1 on the SRS
    ///   domain; ``SRSError/malformedAddress`` for missing fields;
    ///   ``SRSError/invalidHash``, ``SRSError/expired``, ``SRSError/timestampInFuture``.
    public func reverse(_ address: String) throws(SRSError) -> String {
        let (local, host) = try Self.split(address, refusingUnsupported: false)
        guard Self.lowercased(host) == domain else {
            throw .notSRSAddress.with(message: "the address is not on the SRS domain")
        }
        let equals = UInt8(ascii: "=")
        if Self.hasTag(local, "srs0") {
            let fields = Self.fields(local.dropFirst(5), count: 4, separator: equals)
            guard fields.count == 4, fields.allSatisfy({ !$0.isEmpty }) else {
                throw .malformedAddress.with(message: "the SRS0 address lacks a hash, stamp, domain or local part")
            }
            try verify(hash: fields[0], over: [fields[1], fields[2], fields[3]])
            guard let stamp = SRSDayStamp(text: fields[1]) else {
                throw .malformedAddress.with(message: "the SRS0 address's stamp is not two base32 digits")
            }
            try check(stamp)
            return String(decoding: fields[3] + [UInt8(ascii: "@")] + fields[2], as: UTF8.self)
        }
        if Self.hasTag(local, "srs1") {
            let fields = Self.fields(local.dropFirst(5), count: 3, separator: equals)
            guard fields.count == 3, fields.allSatisfy({ !$0.isEmpty }) else {
                throw .malformedAddress.with(message: "the SRS1 address lacks a hash, forwarder or SRS0 part")
            }
            try verify(hash: fields[0], over: [fields[1], fields[2]])
            return String(decoding: Array("SRS0".utf8) + fields[2] + [UInt8(ascii: "@")] + fields[1], as: UTF8.self)
        }
        throw .notSRSAddress.with(message: "the local part is neither SRS0 nor SRS1")
    }

    /// True when `address` looks like an SRS0 or SRS1 address on the SRS domain (nothing
    /// is verified: ``reverse(_:)`` does that). A forwarder asks this to route a recipient
    /// to reversal rather than to its aliases.
    public func isSRSAddress(_ address: String) -> Bool {
        guard let (local, host) = try? Self.split(address, refusingUnsupported: false) else { return false }
        return Self.lowercased(host) == domain && (Self.hasTag(local, "srs0") || Self.hasTag(local, "srs1"))
    }

    // MARK: - Checks

    private func check(_ stamp: SRSDayStamp) throws(SRSError) {
        let age = stamp.age(on: SRSDayStamp(date: configuration.clock.now()))
        if age <= configuration.maximumAge { return }
        if age >= SRSDayStamp.slots - configuration.futureTolerance { return }
        // Past the window on either side: the nearer end names the failure.
        if age <= SRSDayStamp.slots / 2 { throw .expired }
        throw .timestampInFuture
    }

    private func isOwnDomain(_ host: ArraySlice<UInt8>) -> Bool {
        let lowered = Self.lowercased(host)
        return ownDomains.contains(lowered)
    }
}
