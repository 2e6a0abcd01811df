import CommunityMailCSQLite
import CommunityMailCrypto
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state behind one file opened through ``EncryptingVFS``: which kind of file it is,
/// the underlying platform file, and the cipher that turns SQLite's plaintext pages into
/// sqlite3mc `chacha20` pages on the way to disk and back.
///
/// SQLite drives a file from one thread at a time, so no locking is needed here.
final class EncryptedFile {
    enum Kind {
        /// The main database: every page encrypted with its page number.
        case mainDatabase
        /// The rollback journal: records of (pgno, page, checksum); the page is encrypted.
        case rollbackJournal
        /// The write-ahead log: header, then frames of (24-byte header, page).
        case writeAheadLog
        /// Temporary files: offset-addressed keystream with a throwaway key.
        case temporary
        /// Super-journals hold only file names.
        case plain
    }

    static let walHeaderSize: Int64 = 32
    static let walFrameHeaderSize = 24

    let kind: Kind
    let base: UnsafeMutablePointer<sqlite3_file>
    let keyState: DatabaseKeyState
    /// The VFS instance this file was opened through: SQLite keeps using its `sqlite3_vfs`
    /// while any file is open, so each open file keeps it alive.
    let owner: EncryptingVFS
    private var cipher: PageCipher?
    private var temporaryCipher: TemporaryFileCipher?
    /// The main database's salt (page 1, bytes 0..<16).
    private var salt: [UInt8] = []
    /// Page size: of the database for main and journal files, from the header for the WAL.
    private var pageSize = 0
    /// Set when the main file turned out not to be an encrypted database.
    private var unusable: EncryptedSQLiteError?
    private var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536 + 64, alignment: 16)
    /// The page number SQLite just wrote in a WAL frame header or journal record, and
    /// where: the page itself follows at once, and this saves reading it back.
    private var pendingPageNumber: (offset: Int64, pageNumber: UInt32)?
    /// Set at a rollback journal's first write: SQLite reads back a journal it wrote itself
    /// only to roll back its own transaction or savepoint.
    private var wroteJournal = false
    /// What ``RollbackJournalCheck`` found in a journal read before anything was written
    /// through this handle (a hot journal); nil until then, and again after SQLite
    /// truncates the journal.
    private var journalVerdict: Result<RollbackJournalCheck.Verified, EncryptedSQLiteError>?
    /// The last 4-byte read of a hot journal (a record's page number, when a page read
    /// follows at offset + 4): the page's tag is checked against this value, the one SQLite
    /// got, not against a second read of the file.
    private var lastWordRead: (offset: Int64, value: UInt32)?
    /// The path of the database (of this file, or the one this journal or WAL belongs to).
    let databasePath: String?
    /// Set once the `-shm` beside this database passed ``CompanionFileCheck``.
    private var sharedMemoryChecked = false

    /// What a test can observe of a hot journal's playback, to change the file in between.
    enum JournalEvent: Sendable {
        /// The journal passed its check; SQLite reads it next.
        case checked(journalPath: String)
        /// SQLite read `count` bytes at `offset` (not a page) and was handed them.
        case read(journalPath: String, offset: Int64, count: Int)
    }

    /// Test seam: told of each ``JournalEvent`` of a hot journal (tests change the file there,
    /// as someone racing SQLite could).
    static let journalObserver = Mutex<(@Sendable (JournalEvent) -> Void)?>(nil)

    private func notify(_ event: (String) -> JournalEvent) {
        guard let databasePath, let observer = Self.journalObserver.withLock({ $0 }) else { return }
        observer(event(databasePath + "-journal"))
    }

    init(kind: Kind, base: UnsafeMutablePointer<sqlite3_file>, owner: EncryptingVFS, databasePath: String? = nil) {
        self.kind = kind
        self.base = base
        self.keyState = owner.keyState
        self.owner = owner
        self.databasePath = databasePath
    }

    deinit {
        SecureMemory.wipe(scratch)
        scratch.deallocate()
    }

    // MARK: Underlying file

    var methods: sqlite3_io_methods { base.pointee.pMethods.pointee }

    private func baseRead(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int64) -> Int32 {
        methods.xRead(base, buffer.baseAddress, Int32(buffer.count), offset)
    }

    private func baseWrite(_ buffer: UnsafeRawBufferPointer, _ offset: Int64) -> Int32 {
        methods.xWrite(base, buffer.baseAddress, Int32(buffer.count), offset)
    }

    private func baseFileSize() -> Int64? {
        var size: sqlite3_int64 = 0
        return methods.xFileSize(base, &size) == SQLITE_OK ? size : nil
    }

    private func scratchPage(_ count: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: scratch[0..<count])
    }

    // MARK: Opening

    /// Prepares the cipher; called once after the platform file opened.
    func prepare() -> Int32 {
        do {
            switch kind {
            case .mainDatabase:
                try prepareMainDatabase()
            case .rollbackJournal, .writeAheadLog:
                guard let (master, databaseSalt) = keyState.current else { return SQLITE_CANTOPEN }
                salt = databaseSalt
                cipher = try PageCipher(key: master, legacy: keyState.legacy)
            case .temporary:
                temporaryCipher = try TemporaryFileCipher()
            case .plain:
                break
            }
            return SQLITE_OK
        } catch {
            return SQLITE_CANTOPEN
        }
    }

    private func prepareMainDatabase() throws {
        guard let size = baseFileSize() else { throw EncryptedSQLiteError.io }
        if size == 0 {
            salt = try keyState.saltForNewDatabase()
            cipher = try PageCipher(key: try keyState.masterKey(salt: salt), legacy: keyState.legacy)
        } else {
            try loadHeader()
        }
    }

    /// Reads the salt and page size from the file's first bytes and keys the cipher for
    /// that salt. Also used when a file that was empty at open has since been created
    /// (by another connection, with its own salt).
    private func loadHeader() throws {
        var header = [UInt8](repeating: 0, count: 24)
        let result = header.withUnsafeMutableBytes { baseRead($0, 0) }
        guard result == SQLITE_OK else {
            if result == SQLITE_IOERR_SHORT_READ { return }  // still empty
            throw EncryptedSQLiteError.io
        }
        if Array(header[0..<16]) == PageCipher.sqliteMagic {
            unusable = .notEncrypted
            return
        }
        let size: Int
        if keyState.legacy {
            size = keyState.configuredPageSize
        } else {
            guard let stored = PageFormat.pageSize(headerBytes16And17: header[16], header[17]), header[20] == 32 else {
                unusable = EncryptedSQLiteError.notEncrypted.with(
                    message: "the file is not an encrypted database (no valid page size and 32 reserved bytes in its header)")
                return
            }
            size = stored
        }
        let fileSalt = Array(header[0..<16])
        if cipher == nil || fileSalt != salt {
            cipher = try PageCipher(key: try keyState.masterKey(salt: fileSalt), legacy: keyState.legacy)
            salt = fileSalt
        }
        pageSize = size
        keyState.pageSize = size
    }

    // MARK: Reading

    func read(_ buffer: UnsafeMutableRawBufferPointer, offset: Int64) -> Int32 {
        do {
            switch kind {
            case .mainDatabase: return try readMain(buffer, offset)
            case .rollbackJournal: return try readJournal(buffer, offset)
            case .writeAheadLog: return try readWAL(buffer, offset)
            case .temporary: return try readTemporary(buffer, offset)
            case .plain: return baseRead(buffer, offset)
            }
        } catch {
            return SQLITE_IOERR_READ
        }
    }

    private func readMain(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int64) throws -> Int32 {
        if let unusable {
            keyState.record(unusable)
            return SQLITE_NOTADB
        }
        if pageSize == 0 {
            try loadHeader()
            if let unusable {
                keyState.record(unusable)
                return SQLITE_NOTADB
            }
        }
        guard let cipher else { return SQLITE_IOERR_READ }
        guard pageSize > 0 else {
            // An empty database has no pages yet: the platform file zero-fills.
            return baseRead(buffer, offset)
        }
        let size = Int64(pageSize)
        let pageIndex = offset / size
        let within = Int(offset % size)
        guard within + buffer.count <= pageSize else { return SQLITE_IOERR_READ }
        let pageNumber = UInt32(pageIndex + 1)
        let fullPage = within == 0 && buffer.count == pageSize
        let page = fullPage ? buffer : scratchPage(pageSize)
        let result = baseRead(page, pageIndex * size)
        if result == SQLITE_IOERR_SHORT_READ && page.allSatisfy({ $0 == 0 }) {
            if !fullPage { buffer.initializeMemory(as: UInt8.self, repeating: 0) }
            return SQLITE_IOERR_SHORT_READ
        }
        guard result == SQLITE_OK || result == SQLITE_IOERR_SHORT_READ else { return result }
        guard try cipher.decrypt(page: page, pageNumber: pageNumber) else {
            if pageNumber == 1 {
                keyState.record(.wrongKey)
                return SQLITE_NOTADB
            }
            keyState.record(.tamperedPage(pageNumber))
            return SQLITE_IOERR_DATA
        }
        if !fullPage {
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: page[within..<(within + buffer.count)]))
        }
        return SQLITE_OK
    }

    /// A journal record's page sits 4 bytes after its page number; headers sit at sector
    /// boundaries, so a page-sized access at offset 4 mod 8 is a page.
    private func isJournalPage(_ count: Int, _ offset: Int64) -> Bool {
        let size = keyState.pageSize
        return size > 0 && count == size && offset % 8 == 4
    }

    /// The 4-byte big-endian page number stored at `offset` (a journal record's or a WAL
    /// frame header's first field).
    private func storedPageNumber(at offset: Int64) -> UInt32? {
        var bytes = [UInt8](repeating: 0, count: 4)
        guard bytes.withUnsafeMutableBytes({ baseRead($0, offset) }) == SQLITE_OK else { return nil }
        return PageFormat.bigEndian32(bytes[0...])
    }

    private func readJournal(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int64) throws -> Int32 {
        // hasHotJournal's probe of the first byte applies nothing: the check waits for playback.
        let foreign = !wroteJournal && !(buffer.count == 1 && offset == 0)
        if foreign, let refusal = checkForeignJournal() {
            keyState.record(refusal)
            return SQLITE_IOERR_DATA
        }
        guard isJournalPage(buffer.count, offset), let cipher else {
            let result = baseRead(buffer, offset)
            guard result == SQLITE_OK, foreign, case .success(let verified) = journalVerdict else { return result }
            if let refusal = Self.refusal(of: UnsafeRawBufferPointer(buffer), at: offset, given: verified) {
                keyState.record(refusal)
                return SQLITE_IOERR_DATA
            }
            if buffer.count == 4 { lastWordRead = (offset, PageFormat.bigEndian32(UnsafeRawBufferPointer(buffer))) }
            notify { .read(journalPath: $0, offset: offset, count: buffer.count) }
            return SQLITE_OK
        }
        let result = baseRead(buffer, offset)
        guard result == SQLITE_OK else { return result }
        // In a hot journal, the page number SQLite read just before; never a second read of
        // the file, which may have changed in between.
        let remembered = lastWordRead?.offset == offset - 4 ? lastWordRead?.value : nil
        lastWordRead = nil
        if foreign && remembered == nil {
            keyState.record(EncryptedSQLiteError.tamperedJournal.with(
                message: "a rollback journal page was read without its page number; nothing was rolled back"))
            return SQLITE_IOERR_DATA
        }
        guard let pageNumber = remembered ?? storedPageNumber(at: offset - 4) else { return SQLITE_IOERR_READ }
        let skipped = foreign && journalVerdict.flatMap { try? $0.get() }.flatMap(RollbackJournalCheck.originalPageCount)
            .map { pageNumber > $0 } == true
        if pageNumber == 0 || pageNumber == RollbackJournalCheck.pendingBytePage(pageSize: buffer.count) || skipped {
            // SQLite ends playback at such a record, or skips a page past the original size,
            // without using its page.
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            return SQLITE_OK
        }
        // A page that fails its tag never reaches SQLite: handed over as it is, its
        // checksum (which anyone can compute) could make SQLite write it into the database.
        guard try cipher.decrypt(page: buffer, pageNumber: pageNumber) else {
            keyState.record(.tamperedJournal(pageNumber))
            return SQLITE_IOERR_DATA
        }
        return SQLITE_OK
    }

    /// Why bytes read from a hot journal are refused: they differ from what the check
    /// verified (a header, or its page size), or they are the journal magic where the check
    /// found no header (a header added since, or a super-journal pointer, which ends in it).
    static func refusal(
        of bytes: UnsafeRawBufferPointer, at offset: Int64, given verified: RollbackJournalCheck.Verified
    ) -> EncryptedSQLiteError? {
        let changed = EncryptedSQLiteError.tamperedJournal.with(
            message: "the rollback journal changed after it was checked; nothing was rolled back")
        let end = offset + Int64(bytes.count)
        for (headerOffset, header) in verified.headers where offset < headerOffset + Int64(header.count) && end > headerOffset {
            for position in max(offset, headerOffset)..<min(end, headerOffset + Int64(header.count))
            where bytes[Int(position - offset)] != header[Int(position - headerOffset)] {
                return changed
            }
        }
        if bytes.count == 8, verified.headers[offset] == nil, Array(bytes) == RollbackJournalCheck.magic { return changed }
        return nil
    }

    /// For a journal this handle did not write (a hot journal): the whole file is checked at
    /// the first read, before SQLite acts on any of it. Returns why the journal is refused.
    private func checkForeignJournal() -> EncryptedSQLiteError? {
        if journalVerdict == nil {
            journalVerdict = Result { () throws(EncryptedSQLiteError) in
                guard let cipher, keyState.pageSize > 0, let size = baseFileSize(), let databasePages = databasePageCount() else {
                    throw EncryptedSQLiteError.io.with(message: "cannot check the rollback journal")
                }
                return try RollbackJournalCheck(
                    read: { self.baseRead($0, $1) }, size: size, pageSize: keyState.pageSize, cipher: cipher,
                    scratch: scratchPage(keyState.pageSize), databasePageCount: databasePages
                ).verify()
            }
            lastWordRead = nil
            if case .success = journalVerdict { notify { .checked(journalPath: $0) } }
        }
        if case .failure(let refusal) = journalVerdict { return refusal }
        return nil
    }

    /// The database file's size in whole pages, as SQLite's pager counts it.
    private func databasePageCount() -> UInt32? {
        guard let databasePath, keyState.pageSize > 0 else { return nil }
        var status = stat()
        guard stat(databasePath, &status) == 0 else { return nil }
        let pageSize = Int64(keyState.pageSize)
        return UInt32(clamping: (Int64(status.st_size) + pageSize - 1) / pageSize)
    }

    /// A hot journal's size as SQLite asks for it: the checked size, or a refusal when the
    /// file grew or shrank since (a super-journal pointer appended, records added).
    func fileSize(_ size: UnsafeMutablePointer<sqlite3_int64>?) -> Int32 {
        let result = methods.xFileSize(base, size)
        guard result == SQLITE_OK, kind == .rollbackJournal, !wroteJournal, case .success(let verified) = journalVerdict,
            let size, size.pointee != verified.size
        else { return result }
        keyState.record(EncryptedSQLiteError.tamperedJournal.with(
            message: "the rollback journal changed size after it was checked; nothing more was rolled back"))
        return SQLITE_IOERR_FSTAT
    }

    /// Maps the WAL index (the `-shm` file the platform VFS opens at the first map) once
    /// the file passed ``CompanionFileCheck``, before and after the platform opened it.
    func mapSharedMemory(_ call: (sqlite3_io_methods, UnsafeMutablePointer<sqlite3_file>) -> Int32) -> Int32 {
        guard !sharedMemoryChecked, let databasePath else { return call(methods, base) }
        let path = databasePath + "-shm"
        let before = CompanionFileCheck.inspect(path, databasePath: databasePath)
        guard before != .untrusted else {
            keyState.record(CompanionFileCheck.refusal("-shm"))
            return SQLITE_IOERR_SHMOPEN
        }
        let result = call(methods, base)
        guard result == SQLITE_OK else { return result }
        guard CompanionFileCheck.isSameTrustedFile(before: before, after: CompanionFileCheck.inspect(path, databasePath: databasePath)) else {
            _ = methods.xShmUnmap(base, 0)
            keyState.record(CompanionFileCheck.refusal("-shm"))
            return SQLITE_IOERR_SHMOPEN
        }
        sharedMemoryChecked = true
        return SQLITE_OK
    }

    /// SQLite truncated the journal (after playback, or to reuse it): a later read checks
    /// it afresh.
    func noteTruncate() {
        guard kind == .rollbackJournal else { return }
        journalVerdict = nil
        lastWordRead = nil
    }

    private func walPageSize() -> Int {
        if pageSize == 0 {
            var header = [UInt8](repeating: 0, count: 12)
            if header.withUnsafeMutableBytes({ baseRead($0, 0) }) == SQLITE_OK {
                pageSize = PageFormat.walPageSize(PageFormat.bigEndian32(header[8...]))
            }
        }
        return pageSize
    }

    private func readWAL(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int64) throws -> Int32 {
        guard offset >= Self.walHeaderSize else {
            guard offset + Int64(buffer.count) <= Self.walHeaderSize else { return SQLITE_IOERR_READ }
            return baseRead(buffer, offset)
        }
        let size = walPageSize()
        guard size > 0, let cipher else { return baseRead(buffer, offset) }
        let frameSize = Int64(Self.walFrameHeaderSize + size)
        let within = Int((offset - Self.walHeaderSize) % frameSize)
        if within + buffer.count <= Self.walFrameHeaderSize {
            // Frame headers (page number, size, salts, checksums) are stored in clear.
            return baseRead(buffer, offset)
        }
        if within == 0 && buffer.count == Int(frameSize) {
            // A whole frame: recovery, which checks SQLite's checksum over the plaintext.
            let result = baseRead(buffer, offset)
            guard result == SQLITE_OK else { return result }
            let pageNumber = PageFormat.bigEndian32(UnsafeRawBufferPointer(buffer)[0...])
            let page = UnsafeMutableRawBufferPointer(rebasing: buffer[Self.walFrameHeaderSize...])
            // A torn frame fails its tag; its ciphertext then fails the checksum and ends recovery.
            _ = try cipher.decrypt(page: page, pageNumber: pageNumber)
            return SQLITE_OK
        }
        guard within == Self.walFrameHeaderSize && buffer.count == size else { return SQLITE_IOERR_READ }
        // One read of the whole frame: the page number sits in the frame header.
        let frame = scratchPage(Self.walFrameHeaderSize + size)
        let result = baseRead(frame, offset - Int64(Self.walFrameHeaderSize))
        guard result == SQLITE_OK else {
            if result == SQLITE_IOERR_SHORT_READ {
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[Self.walFrameHeaderSize...]))
            }
            return result
        }
        let pageNumber = PageFormat.bigEndian32(UnsafeRawBufferPointer(frame))
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[Self.walFrameHeaderSize...]))
        if keyState.handoff.isCopyingFrames(salt: salt) {
            // A checkpoint copying this frame to the database file: the ciphertext is
            // checked and handed over as it is (see CheckpointHandoff).
            guard try cipher.isAuthentic(page: UnsafeRawBufferPointer(buffer), pageNumber: pageNumber) else {
                return tamperedWALPage(pageNumber)
            }
            keyState.handoff.offer(pageNumber: pageNumber, page: UnsafeRawBufferPointer(buffer))
            return SQLITE_OK
        }
        guard try cipher.decrypt(page: buffer, pageNumber: pageNumber) else { return tamperedWALPage(pageNumber) }
        return SQLITE_OK
    }

    private func tamperedWALPage(_ pageNumber: UInt32) -> Int32 {
        keyState.record(.tamperedPage(pageNumber).with(
            message: "page \(pageNumber) failed authentication in the write-ahead log (changed or damaged)"))
        return SQLITE_IOERR_DATA
    }

    private func readTemporary(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int64) throws -> Int32 {
        guard let temporaryCipher else { return SQLITE_IOERR_READ }
        let result = baseRead(buffer, offset)
        switch result {
        case SQLITE_OK:
            try temporaryCipher.apply(buffer, offset: offset)
        case SQLITE_IOERR_SHORT_READ:
            // Only the bytes that exist were encrypted; the zero-filled rest stays zero.
            let size = baseFileSize() ?? offset
            let present = Int(max(0, min(Int64(buffer.count), size - offset)))
            try temporaryCipher.apply(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<present]), offset: offset)
        default:
            break
        }
        return result
    }

    // MARK: File controls

    /// SQLite's checkpoint announces its copying loop on the database file; the WAL's
    /// reads on this thread then hand over ciphertext (see CheckpointHandoff).
    func noteFileControl(_ operation: Int32) {
        guard kind == .mainDatabase else { return }
        if operation == SQLITE_FCNTL_CKPT_START, cipher != nil, unusable == nil {
            keyState.handoff.checkpointStarted(salt: salt)
        } else if operation == SQLITE_FCNTL_CKPT_DONE {
            keyState.handoff.checkpointFinished()
        }
    }

    /// Calls the platform file for a sync, truncate, lock or unlock: never inside a
    /// checkpoint's copying loop, so on the database file any bracket still open is closed.
    func outsideCopyingLoop(_ call: (sqlite3_io_methods, UnsafeMutablePointer<sqlite3_file>) -> Int32) -> Int32 {
        if kind == .mainDatabase { keyState.handoff.checkpointFinished() }
        return call(methods, base)
    }

    // MARK: Writing

    func write(_ buffer: UnsafeRawBufferPointer, offset: Int64) -> Int32 {
        do {
            switch kind {
            case .mainDatabase: return try writeMain(buffer, offset)
            case .rollbackJournal: return try writeJournal(buffer, offset)
            case .writeAheadLog: return try writeWAL(buffer, offset)
            case .temporary: return try writeTemporary(buffer, offset)
            case .plain: return baseWrite(buffer, offset)
            }
        } catch {
            return SQLITE_IOERR_WRITE
        }
    }

    private func writeMain(_ buffer: UnsafeRawBufferPointer, _ offset: Int64) throws -> Int32 {
        if unusable != nil { return SQLITE_READONLY }
        guard let cipher else { return SQLITE_IOERR_WRITE }
        let count = buffer.count
        guard PageFormat.isValidPageSize(count), offset % Int64(count) == 0 else {
            // SQLite writes whole pages; anything else would leave plaintext or a broken page.
            return SQLITE_IOERR_WRITE
        }
        let pageNumber = UInt32(offset / Int64(count) + 1)
        if pageNumber != 1 && pageSize != 0 && pageSize != count { return SQLITE_IOERR_WRITE }
        // A checkpoint copying a WAL frame: its checked ciphertext already is this page
        // (and a page 1 among them had its header checked on its way into the WAL).
        let copiedFrame: Bool
        switch keyState.handoff.take(pageNumber: pageNumber, page: buffer) {
        case .notOffered:
            copiedFrame = false
        case .copiedFrame:
            copiedFrame = true
        case .mismatch:
            keyState.record(.tamperedPage(pageNumber).with(
                message: "a checkpoint was to copy a write-ahead log frame sealed for another page to page \(pageNumber) (the -shm file is damaged or was changed)"))
            return SQLITE_IOERR_WRITE
        }
        if pageNumber == 1 {
            guard copiedFrame || keepsReservedBytes(pageOne: buffer) else { return SQLITE_IOERR_WRITE }
            pageSize = count
            keyState.pageSize = count
        }
        if copiedFrame { return baseWrite(buffer, offset) }
        return baseWrite(try sealed(buffer, pageNumber: pageNumber, with: cipher), offset)
    }

    /// True when the plaintext page 1 `buffer` declares its own size as the page size and
    /// 32 reserved bytes; otherwise records why the write is refused.
    private func keepsReservedBytes(pageOne buffer: UnsafeRawBufferPointer) -> Bool {
        guard PageFormat.pageSize(headerBytes16And17: buffer[16], buffer[17]) == buffer.count,
            buffer[20] == UInt8(PageCipher.reserveBytes)
        else {
            keyState.record(EncryptedSQLiteError.unsupportedOptions.with(
                message: "the database must keep exactly 32 reserved bytes per page for the nonce and tag"))
            return false
        }
        return true
    }

    private func writeJournal(_ buffer: UnsafeRawBufferPointer, _ offset: Int64) throws -> Int32 {
        wroteJournal = true
        guard isJournalPage(buffer.count, offset) else {
            if buffer.count == 4 && offset % 8 == 0 {
                pendingPageNumber = (offset, PageFormat.bigEndian32(buffer))
            }
            return baseWrite(buffer, offset)
        }
        let pending = pendingPageNumber?.offset == offset - 4 ? pendingPageNumber?.pageNumber : nil
        guard let cipher, let pageNumber = pending ?? storedPageNumber(at: offset - 4) else { return SQLITE_IOERR_WRITE }
        return baseWrite(try sealed(buffer, pageNumber: pageNumber, with: cipher), offset)
    }

    private func writeWAL(_ buffer: UnsafeRawBufferPointer, _ offset: Int64) throws -> Int32 {
        if offset < Self.walHeaderSize {
            guard offset == 0, buffer.count == Int(Self.walHeaderSize) else { return SQLITE_IOERR_WRITE }
            pageSize = PageFormat.walPageSize(PageFormat.bigEndian32(buffer[8...]))
            return baseWrite(buffer, offset)
        }
        let size = walPageSize()
        guard size > 0, let cipher else { return SQLITE_IOERR_WRITE }
        let frameSize = Self.walFrameHeaderSize + size
        let within = Int((offset - Self.walHeaderSize) % Int64(frameSize))
        if within + buffer.count <= Self.walFrameHeaderSize {
            if within == 0 && buffer.count == Self.walFrameHeaderSize {
                pendingPageNumber = (offset, PageFormat.bigEndian32(buffer))
            }
            return baseWrite(buffer, offset)
        }
        if within == 0 && buffer.count == frameSize {
            let header = Self.walFrameHeaderSize
            let pageNumber = PageFormat.bigEndian32(buffer[0...])
            guard pageNumber != 1 || keepsReservedBytes(pageOne: UnsafeRawBufferPointer(rebasing: buffer[header...])) else {
                return SQLITE_IOERR_WRITE
            }
            let frame = scratchPage(frameSize)
            UnsafeMutableRawBufferPointer(rebasing: frame[0..<header]).copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<header]))
            try salt.withUnsafeBytes { saltBytes in
                try cipher.encrypt(
                    UnsafeRawBufferPointer(rebasing: buffer[header...]), into: UnsafeMutableRawBufferPointer(rebasing: frame[header...]),
                    pageNumber: pageNumber, salt: saltBytes)
            }
            return baseWrite(UnsafeRawBufferPointer(frame), offset)
        }
        let frameOffset = offset - Int64(Self.walFrameHeaderSize)
        let pending = pendingPageNumber?.offset == frameOffset ? pendingPageNumber?.pageNumber : nil
        guard within == Self.walFrameHeaderSize && buffer.count == size,
            let pageNumber = pending ?? storedPageNumber(at: offset - Int64(Self.walFrameHeaderSize))
        else { return SQLITE_IOERR_WRITE }
        // Page 1 is checked here as on its way into the database file: a checkpoint copies
        // the frame to the database without looking inside.
        guard pageNumber != 1 || keepsReservedBytes(pageOne: buffer) else { return SQLITE_IOERR_WRITE }
        return baseWrite(try sealed(buffer, pageNumber: pageNumber, with: cipher), offset)
    }

    /// `plaintext` encrypted and sealed as `pageNumber`, in the scratch buffer.
    private func sealed(_ plaintext: UnsafeRawBufferPointer, pageNumber: UInt32, with cipher: PageCipher) throws -> UnsafeRawBufferPointer {
        let page = scratchPage(plaintext.count)
        try salt.withUnsafeBytes { try cipher.encrypt(plaintext, into: page, pageNumber: pageNumber, salt: $0) }
        return UnsafeRawBufferPointer(page)
    }

    private func writeTemporary(_ buffer: UnsafeRawBufferPointer, _ offset: Int64) throws -> Int32 {
        guard let temporaryCipher else { return SQLITE_IOERR_WRITE }
        if scratch.count < buffer.count {
            SecureMemory.wipe(scratch)
            scratch.deallocate()
            scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count, alignment: 16)
        }
        let copy = scratchPage(buffer.count)
        copy.copyMemory(from: buffer)
        try temporaryCipher.apply(copy, offset: offset)
        return baseWrite(UnsafeRawBufferPointer(copy), offset)
    }
}
