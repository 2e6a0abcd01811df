import CommunityMailCSQLite

/// Checks a rollback journal that the connection reading it did not write (a hot journal
/// left by a crash, or a file someone else put there) before SQLite plays any of it back.
///
/// SQLite trusts a hot journal: its header (record count, checksum seed, original database
/// size, sector and page size) and its super-journal pointer are stored in clear, and the
/// record checksums are computable by anyone. Only each record's page carries a tag. So
/// this walks the journal the way SQLite's hot-journal playback will (`readSuperJournal`,
/// `readJournalHdr`, `pager_playback_one_page` in SQLite's pager.c) and refuses the whole
/// journal, before SQLite has written anything, when playback would use something the
/// format cannot vouch for:
/// - a record SQLite would reach and write whose page fails its tag (forged, changed or
///   torn); records for pages past the original size, which SQLite skips, are not checked;
/// - a header page size other than the database's (SQLite would read records of that size,
///   which are no pages of this database);
/// - a super-journal pointer: an encrypted connection never spans several databases, and
///   SQLite reads and then deletes whatever file such a pointer names.
///
/// - an original database size (the header's `mxPg`, which SQLite truncates or extends the
///   file to before it applies any record) other than the database's current page count,
///   unless playback will also apply an authentic page-1 record whose header gives that very
///   size: a genuine transaction changes the size only through page 1 (btree.c keeps the
///   size at header bytes 28..31), which it journals before the file changes.
///
/// Where SQLite stops reading (no journal magic, an invalid first header, a record past the
/// end of the file, page number 0, a record checksum that fails), the check stops too:
/// nothing after that point is ever applied. ``Verified`` lists what the check relied on,
/// so that the file can refuse any later read that returns something else (the journal may
/// change between this check and SQLite's playback). What stays possible is what the format
/// does not protect: replaying authentic records of an older journal of this database.
struct RollbackJournalCheck {
    /// The first 8 bytes of every journal header, and the last 8 of a super-journal pointer.
    static let magic: [UInt8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]
    /// SQLite's default PENDING_BYTE: the page holding it never appears in a journal, and
    /// SQLite ends playback at a record that names it.
    static let pendingByte = 0x4000_0000

    /// Reads the journal file (the platform file, below the cipher).
    let read: (UnsafeMutableRawBufferPointer, Int64) -> Int32
    /// The journal file's size in bytes.
    let size: Int64
    /// The database's page size, which every genuine journal record has.
    let pageSize: Int
    /// The database's page cipher.
    let cipher: PageCipher
    /// Room for one page.
    let scratch: UnsafeMutableRawBufferPointer
    /// The database file's current size in pages (what SQLite calls `dbSize` before playback).
    let databasePageCount: UInt32

    /// What the check relied on: SQLite must later read exactly these bytes.
    struct Verified: Equatable {
        /// The journal's size when checked.
        var size: Int64
        /// Each header SQLite will read (offset, its first ``headerLength`` bytes).
        var headers: [Int64: [UInt8]] = [:]
    }

    /// The original database size in pages of the first header (its bytes 16..<20).
    static func originalPageCount(_ verified: Verified) -> UInt32? {
        guard let first = verified.headers[0], first.count >= 20 else { return nil }
        return PageFormat.bigEndian32(first[16...])
    }

    /// The header bytes SQLite reads: magic, record count, seed, original size, and in the
    /// first header the sector and page sizes.
    static let headerLength = 28

    /// The page number SQLite ends playback at, besides 0.
    static func pendingBytePage(pageSize: Int) -> UInt32 { UInt32(pendingByte / pageSize + 1) }

    /// SQLite's record checksum: the header's seed plus every 200th byte of the page, from
    /// the end.
    static func checksum(page: UnsafeRawBufferPointer, seed: UInt32) -> UInt32 {
        var sum = seed
        var index = page.count - 200
        while index > 0 {
            sum &+= UInt32(page[index])
            index -= 200
        }
        return sum
    }

    /// - Throws: ``EncryptedSQLiteError/tamperedJournal`` when SQLite's playback would use
    ///   something unauthenticated; ``EncryptedSQLiteError/io`` when the journal cannot be read.
    /// - Returns: what SQLite's playback will read that the check relied on.
    func verify() throws(EncryptedSQLiteError) -> Verified {
        try refuseSuperJournalPointer()
        var verified = Verified(size: size)
        var sizeChange: UInt32?
        try walk(&verified, sizeChange: &sizeChange)
        if let sizeChange {
            throw EncryptedSQLiteError.tamperedJournal.with(
                message: "the rollback journal would change the database's size to \(sizeChange) pages without an authentic page 1 of that size; nothing was rolled back")
        }
        return verified
    }

    /// The message of the refusal of a journal whose page size is not the database's.
    static let pageSizeRefusal = EncryptedSQLiteError.tamperedJournal.with(
        message: "the rollback journal declares a page size other than the database's; nothing was rolled back")

    /// Walks headers and records as SQLite's playback will; `sizeChange` is the size SQLite
    /// would truncate or extend the database to, until an authentic page 1 vouches for it.
    private func walk(_ verified: inout Verified, sizeChange: inout UInt32?) throws(EncryptedSQLiteError) {
        var offset: Int64 = 0
        var sectorSize: Int64 = 0
        var originalPageCount: UInt32 = 0
        while true {
            let first = offset == 0
            let headerOffset = first ? 0 : ((offset - 1) / sectorSize + 1) * sectorSize
            if !first && headerOffset + sectorSize > size { return }
            guard let magic = try bytes(at: headerOffset, count: 8), magic == Self.magic,
                let recordCount = try word(at: headerOffset + 8),
                let seed = try word(at: headerOffset + 12),
                let pageCount = try word(at: headerOffset + 16)
            else { return }
            if first {
                guard let sector = try word(at: 20), var declaredPageSize = try word(at: 24) else { return }
                if declaredPageSize == 0 { declaredPageSize = UInt32(pageSize) }  // as SQLite before 3.5.8 wrote
                guard PageFormat.isValidPageSize(Int(declaredPageSize)), sector >= 32, sector <= 0x10000, sector & (sector - 1) == 0 else {
                    return  // SQLite takes an invalid first header for one never synced, and stops.
                }
                guard Int(declaredPageSize) == pageSize else { throw Self.pageSizeRefusal }
                sectorSize = Int64(sector)
                originalPageCount = pageCount
                // SQLite truncates (or extends) the file to this size before any record.
                if pageCount != databasePageCount { sizeChange = pageCount }
            }
            var header = try bytes(at: headerOffset, count: Self.headerLength)
            if header == nil { header = try bytes(at: headerOffset, count: 20) }
            verified.headers[headerOffset] = header ?? []
            offset = headerOffset + sectorSize
            let recordSize = Int64(pageSize + 8)
            // 0xffffffff: written without syncs, every record to the end of the file counts.
            // 0 in a hot journal: this segment holds no records.
            let records = recordCount == 0xffff_ffff ? max(0, (size - offset) / recordSize) : Int64(recordCount)
            for _ in 0..<records {
                guard offset + recordSize <= size else { return }  // SQLite stops at a short read
                guard let pageNumber = try word(at: offset) else { return }
                let page = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<pageSize])
                guard try readFully(page, at: offset + 4), let stored = try word(at: offset + 4 + Int64(pageSize)) else { return }
                offset += recordSize
                if pageNumber == 0 || pageNumber == Self.pendingBytePage(pageSize: pageSize) { return }
                // SQLite skips pages past the original size without their checksum and
                // writes nothing of them: only what it will write must authenticate.
                if pageNumber > originalPageCount { continue }
                let authentic: Bool
                do { authentic = try cipher.decrypt(page: page, pageNumber: pageNumber) } catch {
                    throw EncryptedSQLiteError.io.with(message: "cannot check the rollback journal")
                }
                guard authentic else { throw EncryptedSQLiteError.tamperedJournal(pageNumber) }
                // SQLite stops at the first record whose checksum fails.
                if Self.checksum(page: UnsafeRawBufferPointer(page), seed: seed) != stored { return }
                if pageNumber == 1, let size = sizeChange, Self.declaresSize(pageOne: UnsafeRawBufferPointer(page), size) {
                    sizeChange = nil
                }
            }
        }
    }

    /// True when the decrypted page 1 gives `size` as the database size in pages, and that
    /// field is valid (the change counter at 24..27 repeated at 92..95, as SQLite requires).
    static func declaresSize(pageOne page: UnsafeRawBufferPointer, _ size: UInt32) -> Bool {
        page.count >= 100 && PageFormat.bigEndian32(page[28...]) == size
            && PageFormat.bigEndian32(page[24...]) == PageFormat.bigEndian32(page[92...])
    }

    /// A journal that ends in the magic (where a super-journal pointer ends) is refused
    /// whatever the name's length: our connections never write one, and SQLite reads and
    /// deletes the file such a pointer names.
    private func refuseSuperJournalPointer() throws(EncryptedSQLiteError) {
        guard size >= 16, let trailer = try bytes(at: size - 8, count: 8), trailer == Self.magic else { return }
        throw EncryptedSQLiteError.tamperedJournal.with(
            message: "the rollback journal names a super-journal, which an encrypted database never writes; nothing was rolled back")
    }

    private func readFully(_ buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(EncryptedSQLiteError) -> Bool {
        try Self.isComplete(read(buffer, offset))
    }

    /// False for a short read (the file ends first); throws for a failed one.
    private static func isComplete(_ result: Int32) throws(EncryptedSQLiteError) -> Bool {
        if result == SQLITE_IOERR_SHORT_READ { return false }
        guard result == SQLITE_OK else { throw EncryptedSQLiteError.io.with(message: "cannot read the rollback journal") }
        return true
    }

    private func bytes(at offset: Int64, count: Int) throws(EncryptedSQLiteError) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let result = bytes.withUnsafeMutableBytes { read($0, offset) }
        return try Self.isComplete(result) ? bytes : nil
    }

    private func word(at offset: Int64) throws(EncryptedSQLiteError) -> UInt32? {
        try bytes(at: offset, count: 4).map { PageFormat.bigEndian32($0[0...]) }
    }
}
