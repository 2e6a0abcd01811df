import EncryptedMailbox

extension IMAPSession {
    /// STATUS (RFC 9051 section 6.3.11): MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, DELETED,
    /// SIZE (RFC 8438), RECENT (of the selected folder: the session's own `\Recent` count, as
    /// Dovecot gives it; of another: its unclaimed messages; under IMAP4rev2 0), HIGHESTMODSEQ
    /// (RFC 7162; turns CONDSTORE on), APPENDLIMIT (RFC 7889).
    func status(_ name: String, attributes: [IMAPStatusAttribute], writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        if attributes.contains(.highestModSeq) { try await enableCondStore(writer: writer) }
        let (canonical, values) = try await statusValues(of: name, attributes: attributes)
        try await writer.write(.untagged(.status(mailbox: canonical, values: values)))
        return IMAPCommandOutcome(.ok("STATUS completed"))
    }

    /// The folder's canonical name and the values of `attributes` for it, in the order
    /// asked, from one status read.
    func statusValues(of name: String, attributes: [IMAPStatusAttribute]) async throws -> (name: String, values: [IMAPStatusValue]) {
        let status = try await attempt { try await mailbox.status(of: name) }
        var values: [IMAPStatusValue] = []
        for attribute in attributes {
            let value: UInt64
            switch attribute {
            case .messages: value = UInt64(status.messageCount)
            case .uidNext: value = UInt64(status.uidNext)
            case .uidValidity: value = UInt64(status.uidValidity)
            case .unseen: value = UInt64(status.unseenCount)
            case .recent: value = recentCount(status)
            case .highestModSeq: value = status.highestModSeq
            case .deleted:
                value = UInt64(try await attempt { try await mailbox.search(.flags(.deleted), in: status.name) }.count)
            case .size:
                value = try await folderSize(status.name)
            case .appendLimit:
                let quota = try await attempt { try await mailbox.usage() }.quota
                value = UInt64(max(0, min(quota.maxMessageBytes ?? Int.max, configuration.maximumAppendSize)))
            }
            values.append(IMAPStatusValue(attribute, value))
        }
        return (status.name, values)
    }

    /// STATUS RECENT of the folder `status` describes.
    private func recentCount(_ status: FolderStatus) -> UInt64 {
        guard tracksRecent else { return 0 }
        if let folder = selected, !folder.isDeleted, folder.name == status.name, folder.uidValidity == status.uidValidity {
            return UInt64(folder.recent.count(among: folder.sequence.uids))
        }
        return UInt64(max(0, status.recentCount))
    }

    /// The sum of the folder's message sizes, in one read of them (no UID search first).
    private func folderSize(_ name: String) async throws -> UInt64 {
        let sizes = try await attempt { try await mailbox.sizes(of: .all, in: name) }
        return sizes.values.reduce(0) { $0 + UInt64(max(0, $1)) }
    }
}
