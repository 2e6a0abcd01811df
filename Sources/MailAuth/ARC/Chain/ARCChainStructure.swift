import Foundation

import CommunityMailMessage

/// The ARC sets of a message, checked for structure (RFC 8617 §5.2 steps 1 to 3) before any
/// signature is: a pure function of the header block, bounded by ``ARCLimits``.
enum ARCChainStructure {
    /// No ARC header field at all.
    case noChain
    /// Sets 1...N, each complete, with the `cv=` values the RFC requires.
    case sets([ARCSetFields])
    /// The structure is broken; `highestInstance` is the highest valid instance seen (0 when
    /// none), which a sealer numbers its set after.
    case broken(ARCFailureReason, highestInstance: Int)

    /// The highest instance present (0 for no chain), for numbering the next set.
    var highestInstance: Int {
        switch self {
        case .noChain: 0
        case .sets(let sets): sets.count
        case .broken(_, let highest): highest
        }
    }

    /// Collects and checks the ARC sets of `header`.
    init(_ header: HeaderBlock, limits: ARCLimits) {
        var fields: [(kind: ARCHeaderFieldKind, field: HeaderField)] = []
        for field in header.fields {
            guard let kind = ARCHeaderFieldKind(lowercasedName: field.lowercasedName) else { continue }
            fields.append((kind, field))
            // Step 1's limit, checked before any field is parsed: time stays bounded. The
            // highest instance is then unknown but over the limit (a sealer must not add one).
            if fields.count > limits.maximumInstances * 3 {
                self = .broken(.tooManySets, highestInstance: limits.maximumInstances + 1)
                return
            }
        }
        guard !fields.isEmpty else {
            self = .noChain
            return
        }
        var results: [Int: (HeaderField, ARCAuthenticationResults)] = [:]
        var signatures: [Int: (HeaderField, ARCMessageSignatureTags)] = [:]
        var seals: [Int: (HeaderField, ARCSealTags)] = [:]
        var firstFailure: ARCFailureReason?
        var highest = 0
        func fail(_ reason: ARCFailureReason) { if firstFailure == nil { firstFailure = reason } }
        for (kind, field) in fields {
            let instance = Self.instance(of: field, kind: kind)
            if let instance { highest = max(highest, instance) }
            guard field.rawBytes.count <= limits.maximumFieldBytes else {
                fail(.limitExceeded(instance: instance))
                continue
            }
            guard let instance else {
                fail(.invalidInstance)
                continue
            }
            switch kind {
            case .authenticationResults:
                guard let parsed = ARCAuthenticationResults(parsing: field.unfoldedValue) else {
                    fail(.malformedField(instance: instance))
                    continue
                }
                if results[instance] != nil { fail(.duplicateField(instance: instance)) } else { results[instance] = (field, parsed) }
            case .messageSignature:
                if signatures[instance] != nil {
                    fail(.duplicateField(instance: instance))
                    continue
                }
                guard
                    let parsed = ARCMessageSignatureTags(
                        parsing: field, maximumTags: limits.maximumTags, maximumSignedFields: limits.maximumSignedFields)
                else {
                    fail(.malformedField(instance: instance))
                    continue
                }
                signatures[instance] = (field, parsed)
            case .seal:
                if seals[instance] != nil {
                    fail(.duplicateField(instance: instance))
                    continue
                }
                guard let parsed = ARCSealTags(parsing: field, maximumTags: limits.maximumTags) else {
                    fail(.malformedField(instance: instance))
                    continue
                }
                seals[instance] = (field, parsed)
            }
        }
        guard highest <= limits.maximumInstances else {
            self = .broken(.tooManySets, highestInstance: highest)
            return
        }
        // Step 2: a newest seal that records a failure ends the chain, whatever else is wrong.
        if let newest = seals[highest], newest.1.chainValidation == .fail {
            self = .broken(.chainMarkedFailed(instance: highest), highestInstance: highest)
            return
        }
        if let firstFailure {
            self = .broken(firstFailure, highestInstance: highest)
            return
        }
        // Step 3: exactly one of each field for every instance 1...N, and the cv= rules.
        var sets: [ARCSetFields] = []
        sets.reserveCapacity(highest)
        for instance in 1...max(highest, 1) {
            let present = [results[instance] != nil, signatures[instance] != nil, seals[instance] != nil]
            guard let (resultsField, parsedResults) = results[instance], let (signatureField, signature) = signatures[instance],
                let (sealField, seal) = seals[instance]
            else {
                let reason: ARCFailureReason =
                    present.contains(true) ? .incompleteSet(instance: instance) : .instanceGap(missing: instance)
                self = .broken(reason, highestInstance: highest)
                return
            }
            if seal.chainValidation == .fail {
                self = .broken(.chainMarkedFailed(instance: instance), highestInstance: highest)
                return
            }
            guard seal.chainValidation == (instance == 1 ? .none : .pass) else {
                self = .broken(.invalidChainValidation(instance: instance), highestInstance: highest)
                return
            }
            sets.append(
                ARCSetFields(
                    instance: instance, authenticationResultsField: resultsField, authenticationResults: parsedResults,
                    messageSignatureField: signatureField, messageSignature: signature, sealField: sealField, seal: seal))
        }
        self = .sets(sets)
    }

    /// The instance a field claims: the leading `i=N;` of an ARC-Authentication-Results, the
    /// `i=` tag of the others (found without parsing the rest). Nil when absent or invalid.
    static func instance(of field: HeaderField, kind: ARCHeaderFieldKind) -> Int? {
        let value = field.unfoldedValue.utf8
        switch kind {
        case .authenticationResults:
            return ARCAuthenticationResults(parsing: field.unfoldedValue)?.instance
        case .messageSignature, .seal:
            // The first tag named i; tags are separated by ';' and a name ends at '='.
            var start = value.startIndex
            while start < value.endIndex {
                let end = value[start...].firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex
                let tag = value[start..<end]
                if let equals = tag.firstIndex(of: UInt8(ascii: "=")) {
                    let name = tag[..<equals].filter { $0 != 0x20 && $0 != 0x09 }
                    if name == [UInt8(ascii: "i")] {
                        let text = String(decoding: tag[tag.index(after: equals)...], as: UTF8.self)
                        return ARCInstance.parse(text.trimmingCharacters(in: .whitespaces))
                    }
                }
                start = end < value.endIndex ? value.index(after: end) : end
            }
            return nil
        }
    }
}
