import EncryptedMailbox

extension IMAPSession {
    /// GETQUOTA (RFC 9208 section 4.2): the one root covers the whole mailbox; STORAGE in
    /// units of 1,024 octets and MESSAGE, for the limits the mailbox has.
    func getQuota(_ root: String, writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        let usage = try await attempt { try await mailbox.usage() }
        let resources = Self.quotaResources(usage)
        guard root == configuration.quotaRootName, !resources.isEmpty else {
            return IMAPCommandOutcome(.no("no such quota root", code: .nonExistent))
        }
        try await writer.write(.untagged(.quota(root: root, resources: resources)))
        return IMAPCommandOutcome(.ok("GETQUOTA completed"))
    }

    /// GETQUOTAROOT (RFC 9208 section 4.3): every folder's root is the mailbox's one root
    /// (none when the mailbox has no limit), then that root's QUOTA.
    func getQuotaRoot(_ name: String, writer: some IMAPResponseWriter) async throws -> IMAPCommandOutcome {
        let folder = try await attempt { try await mailbox.status(of: name) }
        let usage = try await attempt { try await mailbox.usage() }
        let resources = Self.quotaResources(usage)
        let roots = resources.isEmpty ? [] : [configuration.quotaRootName]
        try await writer.write(.untagged(.quotaRoot(mailbox: folder.name, roots: roots)))
        if !resources.isEmpty {
            try await writer.write(.untagged(.quota(root: configuration.quotaRootName, resources: resources)))
        }
        return IMAPCommandOutcome(.ok("GETQUOTAROOT completed"))
    }

    /// The limited resources: STORAGE (usage rounded up, limit down, in KiB) and MESSAGE.
    static func quotaResources(_ usage: MailboxUsage) -> [IMAPQuotaResource] {
        var resources: [IMAPQuotaResource] = []
        if let maxBytes = usage.quota.maxBytes {
            resources.append(
                IMAPQuotaResource(name: "STORAGE", usage: (UInt64(max(0, usage.bytes)) + 1023) / 1024, limit: UInt64(max(0, maxBytes)) / 1024))
        }
        if let maxMessages = usage.quota.maxMessages {
            resources.append(IMAPQuotaResource(name: "MESSAGE", usage: UInt64(max(0, usage.messages)), limit: UInt64(max(0, maxMessages))))
        }
        return resources
    }
}
