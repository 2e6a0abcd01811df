import EncryptedMailbox
import Foundation

extension IMAPSession {
    /// APPEND (RFC 9051 section 6.3.12) of one message or, with MULTIAPPEND (RFC 3502),
    /// several at once (all or none): flags and internal date as given, `OK [APPENDUID]`
    /// (RFC 4315). A missing folder is `NO [TRYCREATE]`, the quota `NO [OVERQUOTA]`, a
    /// message over the size limit `NO [TOOBIG]`, an empty message `NO`.
    func append(_ messages: [IMAPAppendMessage], to name: String) async throws -> IMAPCommandOutcome {
        var batch: [MessageToAppend] = []
        for message in messages {
            guard !message.data.isEmpty else { return IMAPCommandOutcome(.no("an empty message cannot be appended", code: .cannot)) }
            guard message.data.count <= configuration.maximumAppendSize else {
                return IMAPCommandOutcome(.no("message too large", code: .tooBig))
            }
            let (flags, keywords) = try Self.parseFlags(message.flags)
            var date = Date()
            if let given = message.internalDate {
                guard let instant = given.instant else { return IMAPCommandOutcome(.bad("invalid date-time")) }
                date = instant
            }
            batch.append(MessageToAppend(message.data, flags: flags, keywords: keywords, internalDate: date))
        }
        guard !batch.isEmpty else { return IMAPCommandOutcome(.bad("no message to append")) }
        let appended = try await attempt(missingFolder: .tryCreate) {
            batch.count == 1
                ? [try await mailbox.append(batch[0].content, to: name, flags: batch[0].flags, keywords: batch[0].keywords, internalDate: batch[0].internalDate)]
                : try await mailbox.append(contentsOf: batch, to: name)
        }
        if var folder = selected, folder.name == Self.canonicalName(name) {
            folder.sequence.noteAdded(appended.map(\.uid))
            selected = folder
        }
        guard let validity = appended.first?.uidValidity else { return IMAPCommandOutcome(.ok("APPEND completed")) }
        return IMAPCommandOutcome(.ok("APPEND completed", code: .appendUID(uidValidity: validity, uids: IMAPSequenceSet(compacting: appended.map(\.uid)))))
    }
}
