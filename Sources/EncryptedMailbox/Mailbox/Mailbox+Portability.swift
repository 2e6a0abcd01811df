import CommunityMailMessage
public import Foundation

/// Moving mail in and out: one folder to an mbox (mboxrd) file or a directory of `.eml`
/// files, the whole mailbox to a directory tree of either, and back. Works on any
/// ``Mailbox``. Messages go out and come back byte-exact; the internal date rides on the
/// mbox `From ` line or the `.eml` file's modification time. Flags are not carried (mbox
/// has no standard place for them that would not change the message bytes).
extension Mailbox {
    /// How many messages are read (export) or appended (import) at a time.
    static var exportBatch: Int { 256 }

    /// Calls `body` with the folder's messages, whole, in UID order, a batch at a time.
    private func forEachMessage(in folder: String, _ body: ([FetchedMessage]) throws -> Void) async throws {
        let uids = try await search(.all, in: folder)
        var start = 0
        while start < uids.count {
            let batch = Array(uids[start..<min(start + Self.exportBatch, uids.count)])
            try body(try await fetch(UIDSet(batch), in: folder, content: .whole))
            start += batch.count
        }
    }

    /// Appends `messages` in order, a transaction per batch of ``exportBatch``: an import
    /// that fails part-way (quota) keeps the batches before the failing one.
    private func appendInBatches(_ messages: [MessageToAppend], to folder: String) async throws -> [AppendedMessage] {
        var appended: [AppendedMessage] = []
        var start = 0
        while start < messages.count {
            let end = min(start + Self.exportBatch, messages.count)
            appended += try await append(contentsOf: Array(messages[start..<end]), to: folder)
            start = end
        }
        return appended
    }

    /// `body`'s result, its mbox error as the mailbox's (``MailboxError/invalidMbox`` or
    /// ``MailboxError/io``).
    private static func mboxResult<T>(_ body: () throws(MailMessageError) -> T) throws(MailboxError) -> T {
        do { return try body() } catch {
            throw (error == .invalidMbox ? MailboxError.invalidMbox : MailboxError.io).with(message: error.message)
        }
    }

    /// The folder as an mboxrd file, in UID order.
    public func exportMbox(folder: String) async throws -> [UInt8] {
        var output: [UInt8] = []
        try await forEachMessage(in: folder) { batch in
            for message in batch { MboxFormat.append(Self.mboxMessage(message), to: &output) }
        }
        return output
    }

    private static func mboxMessage(_ message: FetchedMessage) -> MboxMessage {
        let content = message.content ?? []
        return MboxMessage(content: content, sender: MboxFormat.envelopeSender(of: content), date: message.internalDate)
    }

    /// Writes the folder to an mboxrd file at `url` (replaced if it exists), a batch at a time.
    /// - Returns: how many messages were written.
    @discardableResult
    public func exportMbox(folder: String, to url: URL) async throws -> Int {
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = try? FileHandle(forWritingTo: url)
        else { throw MailboxError.io.with(message: "cannot create \(url.lastPathComponent)") }
        defer { try? handle.close() }
        var count = 0
        try await forEachMessage(in: folder) { batch in
            var chunk: [UInt8] = []
            for message in batch { MboxFormat.append(Self.mboxMessage(message), to: &chunk) }
            do { try handle.write(contentsOf: chunk) } catch { throw MailboxError.io.with(message: "cannot write \(url.lastPathComponent)") }
            count += batch.count
        }
        return count
    }

    /// Appends the messages of an mbox file to `folder`, in file order; each gets the
    /// `From ` line's date as its internal date (or now, when it has none).
    @discardableResult
    public func importMbox(_ data: [UInt8], into folder: String) async throws -> [AppendedMessage] {
        let now = Date()
        let messages = try Self.mboxResult { () throws(MailMessageError) in try MboxFormat.read(data) }.map { MessageToAppend($0.content, internalDate: $0.date ?? now) }
        return try await appendInBatches(messages, to: folder)
    }

    /// Appends the messages of the mbox file at `url` to `folder`, reading the file a
    /// message at a time and appending in batches (a failure keeps the earlier batches).
    @discardableResult
    public func importMbox(from url: URL, into folder: String) async throws -> [AppendedMessage] {
        var reader = try Self.mboxResult { () throws(MailMessageError) in try MboxFileReader(url: url) }
        defer { reader.close() }
        let now = Date()
        var appended: [AppendedMessage] = []
        var batch: [MessageToAppend] = []
        var batchBytes = 0
        while let message = try Self.mboxResult({ () throws(MailMessageError) in try reader.next() }) {
            batch.append(MessageToAppend(message.content, internalDate: message.date ?? now))
            batchBytes += message.content.count
            if batch.count >= Self.exportBatch || batchBytes >= 32 << 20 {
                appended += try await append(contentsOf: batch, to: folder)
                batch.removeAll()
                batchBytes = 0
            }
        }
        if !batch.isEmpty { appended += try await append(contentsOf: batch, to: folder) }
        return appended
    }

    /// Writes each message of the folder to `directory` (created if missing) as
    /// `<UID, 10 digits>.eml`, byte-exact, with the internal date as modification time.
    /// - Returns: how many files were written.
    @discardableResult
    public func exportEML(folder: String, to directory: URL) async throws -> Int {
        try Self.makeDirectory(directory)
        var count = 0
        try await forEachMessage(in: folder) { batch in
            for message in batch {
                let digits = String(message.uid)
                let url = directory.appendingPathComponent(String(repeating: "0", count: max(0, 10 - digits.count)) + digits + ".eml")
                guard FileManager.default.createFile(
                    atPath: url.path, contents: Data(message.content ?? []),
                    attributes: [.posixPermissions: 0o600, .modificationDate: message.internalDate])
                else { throw MailboxError.io.with(message: "cannot write \(url.lastPathComponent)") }
                count += 1
            }
        }
        return count
    }

    /// Appends the `.eml` files of `directory` (not its subdirectories) to `folder`, in
    /// file name order, each with its modification time as internal date.
    @discardableResult
    public func importEML(from directory: URL, into folder: String) async throws -> [AppendedMessage] {
        var messages: [MessageToAppend] = []
        for url in try Self.files(in: directory, withExtension: "eml") {
            guard let data = try? Data(contentsOf: url) else { throw MailboxError.io.with(message: "cannot read \(url.lastPathComponent)") }
            let modified = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? Date()
            messages.append(MessageToAppend(Array(data), internalDate: modified))
        }
        return try await appendInBatches(messages, to: folder)
    }


    /// Exports every folder under `directory`: `<folder path>.mbox` files, or `<folder
    /// path>/` directories of `.eml` files (the `/` delimiter becomes the path separator).
    /// - Returns: how many messages were written.
    @discardableResult
    public func exportAll(to directory: URL, layout: MailboxExportLayout) async throws -> Int {
        try Self.makeDirectory(directory)
        var count = 0
        for folder in try await folders() {
            let path = directory.appendingPathComponent(folder.name)
            switch layout {
            case .mbox:
                try Self.makeDirectory(path.deletingLastPathComponent())
                count += try await exportMbox(folder: folder.name, to: path.appendingPathExtension("mbox"))
            case .eml:
                count += try await exportEML(folder: folder.name, to: path)
            }
        }
        return count
    }

    /// Imports a tree written by ``exportAll(to:layout:)`` (or arranged the same way),
    /// creating the folders that are missing.
    /// - Returns: how many messages were appended.
    @discardableResult
    public func importAll(from directory: URL, layout: MailboxExportLayout) async throws -> Int {
        let root = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw MailboxError.io.with(message: "cannot read \(directory.lastPathComponent)")
        }
        var mboxFiles: [String] = []
        var emlFolders: Set<String> = []
        while let relative = walker.nextObject() as? String {
            if layout == .mbox, relative.hasSuffix(".mbox") { mboxFiles.append(relative) }
            if layout == .eml, relative.hasSuffix(".eml") {
                let parent = (relative as NSString).deletingLastPathComponent
                if !parent.isEmpty { emlFolders.insert(parent) }
            }
        }
        let existing = Set(try await folders().map(\.name))
        var count = 0
        let sources = layout == .mbox ? mboxFiles.map { (String($0.dropLast(5)), $0) } : emlFolders.map { ($0, $0) }
        for (folderName, relative) in sources.sorted(by: { $0.0 < $1.0 }) {
            if !existing.contains(folderName) { try await createFolder(folderName) }
            let url = directory.appendingPathComponent(relative)
            count += layout == .mbox
                ? try await importMbox(from: url, into: folderName).count
                : try await importEML(from: url, into: folderName).count
        }
        return count
    }

    private static func makeDirectory(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw MailboxError.io.with(message: "cannot create \(url.lastPathComponent)")
        }
    }

    private static func files(in directory: URL, withExtension fileExtension: String) throws -> [URL] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw MailboxError.io.with(message: "cannot read \(directory.lastPathComponent)")
        }
        return names.filter { $0.hasSuffix("." + fileExtension) }.sorted().map { directory.appendingPathComponent($0) }
    }
}
