import EncryptedMailbox

extension IMAPSession {
    /// One name LIST can answer: a folder, or a hierarchy level above folders that is no
    /// folder itself (`Work` when only `Work/Projects` exists).
    private struct ListEntry {
        var name: String
        var folder: FolderStatus?
        var hasChildren: Bool
        var hasSubscribedDescendant: Bool
    }

    /// Every folder and every level above one, INBOX first, then by name.
    private func listEntries() async throws -> [ListEntry] {
        let folders = try await attempt { try await mailbox.folders() }
        var byName: [String: ListEntry] = [:]
        for folder in folders {
            byName[folder.name, default: ListEntry(name: folder.name, hasChildren: false, hasSubscribedDescendant: false)].folder = folder
            var parent = folder.name
            while let cut = parent.lastIndex(of: Self.delimiter) {
                parent = String(parent[..<cut])
                guard !parent.isEmpty else { break }
                byName[parent, default: ListEntry(name: parent, hasChildren: false, hasSubscribedDescendant: false)].hasChildren = true
                if folder.isSubscribed { byName[parent]?.hasSubscribedDescendant = true }
            }
        }
        return byName.values.sorted { lhs, rhs in
            if lhs.name == "INBOX" || rhs.name == "INBOX" { return lhs.name == "INBOX" && rhs.name != "INBOX" }
            return lhs.name < rhs.name
        }
    }

    /// LIST, basic (RFC 3501 section 6.3.8, RFC 9051 section 6.3.9) and extended (RFC 5258
    /// selection options SUBSCRIBED, RECURSIVEMATCH, SPECIAL-USE, REMOTE; RETURN SUBSCRIBED,
    /// CHILDREN, SPECIAL-USE and STATUS (RFC 5819)). Every line carries `\HasChildren` or
    /// `\HasNoChildren` and the special-use attribute; levels that are no folder are
    /// `\Noselect` (`\NonExistent` in extended LIST and IMAP4rev2).
    func list(_ command: IMAPListCommand, writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        var subscribedOnly = false
        var recursive = false
        var specialUseOnly = false
        for option in command.selectionOptions {
            switch option {
            case .subscribed: subscribedOnly = true
            case .recursiveMatch: recursive = true
            case .specialUse: specialUseOnly = true
            case .remote: break
            case .other: return IMAPCommandOutcome(.bad("unknown LIST selection option"))
            }
        }
        if recursive, !subscribedOnly, !specialUseOnly {
            return IMAPCommandOutcome(.bad("RECURSIVEMATCH needs another selection option"))
        }
        var returnSubscribed = subscribedOnly
        var statusAttributes: [IMAPStatusAttribute]?
        for option in command.returnOptions {
            switch option {
            case .subscribed: returnSubscribed = true
            case .children, .specialUse: break
            case .status(let attributes): statusAttributes = attributes
            case .other: return IMAPCommandOutcome(.bad("unknown LIST return option"))
            }
        }
        let extended = !command.selectionOptions.isEmpty || !command.returnOptions.isEmpty || command.patterns.count != 1
        if !extended, command.patterns == [""] {
            // RFC 9051 section 6.3.9: an empty pattern asks for the delimiter and the root.
            try await writer.write(.untagged(.list(IMAPListItem(attributes: ["\\Noselect"], delimiter: Self.delimiter, name: ""))))
            return IMAPCommandOutcome(.ok("LIST completed"))
        }
        if statusAttributes?.contains(.highestModSeq) == true { try await enableCondStore(writer: writer) }
        var patterns: [IMAPListPattern] = []
        for pattern in command.patterns where !pattern.isEmpty {
            let compiled = IMAPListPattern(reference: command.reference, pattern: pattern)
            if !patterns.contains(compiled) { patterns.append(compiled) }
            guard patterns.count <= configuration.maximumListPatterns else {
                return IMAPCommandOutcome(.bad("too many LIST patterns", code: .limit))
            }
        }
        let missingAttribute = extended || extensions.imap4rev2 ? "\\NonExistent" : "\\Noselect"
        for entry in try await listEntries() where patterns.contains(where: { $0.matches(entry.name) }) {
            var childInfo: [String] = []
            if subscribedOnly {
                let subscribed = entry.folder?.isSubscribed ?? false
                if recursive, entry.hasSubscribedDescendant { childInfo = ["SUBSCRIBED"] }
                guard subscribed || !childInfo.isEmpty else { continue }
            }
            if specialUseOnly {
                guard entry.folder?.specialUse?.listAttribute != nil else { continue }
            }
            var attributes: [String] = []
            if entry.folder == nil { attributes.append(missingAttribute) }
            attributes.append(entry.hasChildren ? "\\HasChildren" : "\\HasNoChildren")
            if let use = entry.folder?.specialUse?.listAttribute { attributes.append(use) }
            if returnSubscribed, entry.folder?.isSubscribed == true { attributes.append("\\Subscribed") }
            try await writer.write(
                .untagged(.list(IMAPListItem(attributes: attributes, delimiter: Self.delimiter, name: entry.name, childInfo: childInfo))))
            if let statusAttributes, let folder = entry.folder,
                let values = try? await statusValues(of: folder.name, attributes: statusAttributes).values
            {
                try await writer.write(.untagged(.status(mailbox: folder.name, values: values)))
            }
        }
        return IMAPCommandOutcome(.ok("LIST completed"))
    }

    /// LSUB (IMAP4rev1): the subscribed folders matching the pattern; with `%`, a level
    /// above subscribed folders that is not subscribed itself comes as `\Noselect`.
    func lsub(reference: String, pattern: String, writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        if pattern.isEmpty {
            try await writer.write(.untagged(.lsub(IMAPListItem(attributes: ["\\Noselect"], delimiter: Self.delimiter, name: ""))))
            return IMAPCommandOutcome(.ok("LSUB completed"))
        }
        let matcher = IMAPListPattern(reference: reference, pattern: pattern)
        for entry in try await listEntries() where matcher.matches(entry.name) {
            if entry.folder?.isSubscribed == true {
                try await writer.write(.untagged(.lsub(IMAPListItem(attributes: [], delimiter: Self.delimiter, name: entry.name))))
            } else if matcher.hasLevelWildcard, entry.hasSubscribedDescendant {
                try await writer.write(.untagged(.lsub(IMAPListItem(attributes: ["\\Noselect"], delimiter: Self.delimiter, name: entry.name))))
            }
        }
        return IMAPCommandOutcome(.ok("LSUB completed"))
    }
}
