import Foundation
/// The write rules, shared by every store. Each check reads through an ``AliasReading``
/// view taken inside the same transaction (or actor turn) as the write it guards.
enum AliasValidation {
    static let maxDescriptionLength = 1_000
    static let maxLabels = 20
    static let maxLabelLength = 64
    static let maxUserIDLength = 128
    static let maxLocaleLength = 35
    static let maxTokenLength = 64

    /// A validated alias, ready to store.
    struct Prepared {
        var name: String
        var domain: String
        var owner: String
        var recipients: [String]
        var enabled: Bool
        var description: String
        var labels: [String]

        /// `stored` with these fields, stamped `time`, at the next revision: what both
        /// stores write for an update.
        func updating(_ stored: Alias, at time: Date) -> Alias {
            var updated = stored
            updated.owner = owner
            updated.recipients = recipients
            updated.enabled = enabled
            updated.description = description
            updated.labels = labels
            updated.updatedAt = time
            updated.revision += 1
            return updated
        }
    }

    /// Normalises an alias name: lowercase for exact names, `*`, or `/pattern/` checked.
    static func normalizeName(_ raw: String, policy: AliasPolicy) throws(AliasStoreError) -> String {
        switch AliasKind(name: raw) {
        case .catchAll:
            return raw
        case .pattern:
            _ = try AliasPattern(String(raw.dropFirst().dropLast()), maxLength: policy.maxPatternLength)
            return raw
        case .exact:
            let name = raw.lowercased()
            try EmailAddress.validateLocalPart(name)
            guard !name.contains("+") else {
                throw AliasStoreError.invalidLocalPart.with(
                    message: "an alias name cannot contain +, which separates sub-address tags (alice+tag reaches alice)")
            }
            return name
        }
    }

    /// Checks a new alias against every rule.
    static func prepare(
        _ new: NewAlias, actor: ChangeActor, policy: AliasPolicy, reader: some AliasReading
    ) throws(AliasStoreError) -> Prepared {
        let domain = try EmailAddress.normalizeDomain(new.domain)
        guard try reader.domainVerified(domain) != nil else {
            throw AliasStoreError.domainNotFound.with(message: "the store does not serve \(domain)")
        }
        let name = try normalizeName(new.name, policy: policy)
        try checkPermission(name: name, domain: domain, actor: actor, policy: policy, reader: reader)
        let prepared = try prepareFields(
            name: name, domain: domain, owner: new.owner, recipients: new.recipients, enabled: new.enabled,
            description: new.description, labels: new.labels, policy: policy, reader: reader)
        let owned = try reader.aliasCount(owner: new.owner)
        guard owned < policy.maxAliasesPerUser else {
            throw AliasStoreError.aliasLimitReached.with(
                message: "\(new.owner) already owns \(owned) aliases; at most \(policy.maxAliasesPerUser) are allowed")
        }
        if AliasKind(name: name) == .pattern {
            let patterns = try reader.patternAliases(domain: domain).count
            guard patterns < policy.maxPatternsPerDomain else {
                throw AliasStoreError.patternLimitReached.with(
                    message: "\(domain) already has \(patterns) pattern aliases; at most \(policy.maxPatternsPerDomain) are allowed")
            }
        }
        return prepared
    }

    /// Checks an update of `stored` to `updated`.
    static func prepareUpdate(
        _ updated: Alias, stored: Alias, actor: ChangeActor, policy: AliasPolicy, reader: some AliasReading
    ) throws(AliasStoreError) -> Prepared {
        guard updated.revision == stored.revision else {
            throw AliasStoreError.conflict.with(
                message: "alias \(stored.id) is at revision \(stored.revision), the update started from \(updated.revision)")
        }
        let sameName = stored.kind == .exact ? updated.name.lowercased() == stored.name : updated.name == stored.name
        guard sameName,
              (try? EmailAddress.normalizeDomain(updated.domain)) == stored.domain
        else {
            throw AliasStoreError.immutableField.with(message: "an alias cannot be renamed or moved to another domain; delete it and create the new one")
        }
        // Reserved names, catch-alls and patterns stay in admins' hands after creation too.
        try checkPermission(name: stored.name, domain: stored.domain, actor: actor, policy: policy, reader: reader)
        if updated.owner != stored.owner {
            let owned = try reader.aliasCount(owner: updated.owner)
            guard owned < policy.maxAliasesPerUser else {
                throw AliasStoreError.aliasLimitReached.with(
                    message: "\(updated.owner) already owns \(owned) aliases; at most \(policy.maxAliasesPerUser) are allowed")
            }
        }
        return try prepareFields(
            name: stored.name, domain: stored.domain, owner: updated.owner, recipients: updated.recipients,
            enabled: updated.enabled, description: updated.description, labels: updated.labels, policy: policy, reader: reader)
    }

    private static func checkPermission(
        name: String, domain: String, actor: ChangeActor, policy: AliasPolicy, reader: some AliasReading
    ) throws(AliasStoreError) {
        let kind = AliasKind(name: name)
        let reserved = kind == .exact && policy.reservedNames.contains(name)
        guard reserved || kind != .exact else { return }
        var isAdmin = false
        if case .person(let id) = actor { isAdmin = try reader.memberRole(domain: domain, userID: id) == .admin }
        guard !isAdmin else { return }
        if reserved {
            throw AliasStoreError.reservedName.with(message: "the alias name is reserved for the domain's admins")
        }
        throw AliasStoreError.notPermitted.with(
            message: "only an admin of \(domain) may create or reassign catch-all and pattern aliases")
    }

    private static func prepareFields(
        name: String, domain: String, owner: String, recipients: [String], enabled: Bool, description: String,
        labels: [String], policy: AliasPolicy, reader: some AliasReading
    ) throws(AliasStoreError) -> Prepared {
        guard try reader.user(owner) != nil else {
            throw AliasStoreError.userNotFound.with(message: "the owner \(owner.debugDescription) is not a known user")
        }
        guard !recipients.isEmpty, recipients.count <= policy.maxRecipientsPerAlias else {
            throw AliasStoreError.tooManyRecipients.with(
                message: "an alias needs 1 to \(policy.maxRecipientsPerAlias) recipients; \(recipients.count) given")
        }
        var normalized: [String] = []
        // Messages name a recipient by its position: mail addresses stay out of errors.
        for (position, recipient) in recipients.enumerated() {
            let address: EmailAddress
            do {
                address = try EmailAddress(recipient)
            } catch {
                throw AliasStoreError.invalidRecipient.with(message: "recipient \(position + 1) is not valid: \(error.message)")
            }
            // A disabled alias never forwards, so it may list itself: the member sync keeps
            // `ana@ubuntu.com` disabled when Ana's own address is `ana@ubuntu.com`. Enabling
            // it goes through this check again.
            if enabled && address.domain == domain
                && forwardsToItself(name: name, recipientLocal: address.localPart.lowercased(), policy: policy)
            {
                throw AliasStoreError.selfForwarding.with(message: "the alias lists itself as recipient \(position + 1)")
            }
            if !normalized.contains(address.description) { normalized.append(address.description) }
        }
        try checkText(description, field: "description", maxLength: maxDescriptionLength, allowEmpty: true)
        guard labels.count <= maxLabels else {
            throw AliasStoreError.invalidField.with(message: "an alias may have at most \(maxLabels) labels")
        }
        for label in labels { try checkText(label, field: "label", maxLength: maxLabelLength, allowEmpty: false) }
        return Prepared(
            name: name, domain: domain, owner: owner, recipients: normalized, enabled: enabled, description: description,
            labels: labels)
    }

    private static func forwardsToItself(name: String, recipientLocal: String, policy: AliasPolicy) -> Bool {
        switch AliasKind(name: name) {
        case .catchAll:
            return false
        case .pattern:
            guard let pattern = try? AliasPattern(String(name.dropFirst().dropLast()), maxLength: policy.maxPatternLength) else { return false }
            return pattern.evaluate(recipientLocal, stepBudget: policy.patternStepBudget) != .noMatch
        case .exact:
            if recipientLocal == name { return true }
            if let plus = recipientLocal.firstIndex(of: "+") { return recipientLocal[..<plus] == name }
            return false
        }
    }

    /// Checks a free-text field: length in bytes, no control characters.
    static func checkText(_ text: String, field: String, maxLength: Int, allowEmpty: Bool) throws(AliasStoreError) {
        guard allowEmpty || !text.isEmpty else { throw AliasStoreError.invalidField.with(message: "the \(field) is empty") }
        guard text.utf8.count <= maxLength else {
            throw AliasStoreError.invalidField.with(message: "the \(field) is longer than \(maxLength) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AliasStoreError.invalidField.with(message: "the \(field) contains a control character")
        }
    }

    /// Checks and normalises a user (the e-mail address is normalised).
    static func prepareUser(_ user: User) throws(AliasStoreError) -> User {
        try checkText(user.id, field: "user id", maxLength: maxUserIDLength, allowEmpty: false)
        guard !user.id.contains(where: { $0.isWhitespace }) else {
            throw AliasStoreError.invalidField.with(message: "the user id contains white space")
        }
        let email: EmailAddress
        do {
            email = try EmailAddress(user.email)
        } catch {
            throw AliasStoreError.invalidAddress.with(message: "the user's e-mail is not valid: \(error.message)")
        }
        guard !user.locale.isEmpty, user.locale.utf8.count <= maxLocaleLength,
              user.locale.utf8.allSatisfy({ EmailAddress.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else {
            throw AliasStoreError.invalidField.with(message: "the locale \(user.locale.debugDescription) is not a BCP 47 tag")
        }
        if let claimed = user.claimedIdentifier {
            try claimedIdentifier(claimed)
        }
        var normalized = user
        normalized.email = email.description
        return normalized
    }

    /// Checks a claimed identifier with ``User/isValidClaimedIdentifier(_:)``.
    static func claimedIdentifier(_ claimed: String) throws(AliasStoreError) {
        guard User.isValidClaimedIdentifier(claimed) else {
            throw AliasStoreError.invalidField.with(message: "the user's claimed identifier is not an http(s) URL")
        }
    }

    /// The claimed identifier `user` is stored with over `stored`: a nil one keeps the
    /// stored identifier (a save never erases it); a different one is refused.
    static func claimedIdentifier(saving user: User, over stored: User?) throws(AliasStoreError) -> String? {
        guard let held = stored?.claimedIdentifier else { return user.claimedIdentifier }
        guard let given = user.claimedIdentifier else { return held }
        guard given == held else {
            throw AliasStoreError.claimedIdentifierBound.with(
                message: "\(user.id) belongs to another claimed identifier; only rebindUser changes it")
        }
        return held
    }

    /// The change-log detail of a saved user: the ban, and whether the claimed identifier
    /// was recorded, changed or released (never the identifier itself).
    static func userDetail(_ user: User, over stored: User?) -> String {
        var detail = user.banned ? "banned" : "active"
        switch (stored?.claimedIdentifier, user.claimedIdentifier) {
        case (nil, .some): detail += ", claimed identifier recorded"
        case (.some, nil): detail += ", claimed identifier released"
        case (.some(let old), .some(let new)) where old != new: detail += ", claimed identifier changed"
        default: break
        }
        return detail
    }

    /// Checks a verification token, or makes one (10 letters and digits, like
    /// `6IsURgl2t7`) when none is given.
    static func verificationToken(_ given: String?) throws(AliasStoreError) -> String {
        guard let given else {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            var generator = SystemRandomNumberGenerator()
            return String((0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        }
        guard !given.isEmpty, given.utf8.count <= maxTokenLength,
              given.utf8.allSatisfy({ EmailAddress.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else {
            throw AliasStoreError.invalidField.with(message: "a verification token is 1 to \(maxTokenLength) letters, digits, - or _")
        }
        return given
    }
}
