import CommunityMailCSQLite
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A SQLite VFS that encrypts every file of one database (main file, rollback journal,
/// WAL, temporary files) on its way to the platform VFS, in sqlite3mc's `chacha20` format.
///
/// Each open database registers its own instance under a unique name
/// (`communitymail-chacha20-<n>`), never as the default VFS; the instance carries that
/// database's key, so no global key table exists. Every open file keeps its instance
/// alive, so a connection may outlive the code that opened it; ``unregister()`` removes
/// the name (connections already open keep working).
final class EncryptingVFS: @unchecked Sendable {
    /// The prefix of every registered name.
    static let namePrefix = "communitymail-chacha20"
    private static let counter = Atomic<Int>(0)

    /// The registered name to pass as `SQLiteConnection.Configuration.vfsName`.
    let name: String
    let keyState: DatabaseKeyState
    let platform: UnsafeMutablePointer<sqlite3_vfs>
    private let vfs: UnsafeMutablePointer<sqlite3_vfs>
    private let cName: UnsafeMutablePointer<CChar>
    private let registered = Mutex(false)

    /// Registers a new instance over the platform's default VFS.
    init(keyState: DatabaseKeyState) throws(EncryptedSQLiteError) {
        guard let platform = sqlite3_vfs_find(nil) else {
            throw EncryptedSQLiteError.io.with(message: "SQLite has no default VFS")
        }
        self.platform = platform
        self.keyState = keyState
        let number = Self.counter.add(1, ordering: .relaxed).newValue
        name = "\(Self.namePrefix)-\(number)"
        cName = strdup(name)!
        vfs = .allocate(capacity: 1)
        vfs.initialize(to: Self.makeVFS(platform: platform, name: cName))
        vfs.pointee.pAppData = Unmanaged.passUnretained(self).toOpaque()
        let result = sqlite3_vfs_register(vfs, 0)
        guard result == SQLITE_OK else {
            vfs.deallocate()
            free(cName)
            throw EncryptedSQLiteError.io.with(message: "cannot register the encrypting VFS (SQLite result \(result))")
        }
        registered.withLock { $0 = true }
    }

    /// Unregisters the VFS; call after every connection through it has closed.
    func unregister() {
        let wasRegistered = registered.withLock { value in defer { value = false }; return value }
        if wasRegistered { sqlite3_vfs_unregister(vfs) }
    }

    deinit {
        unregister()
        vfs.deallocate()
        free(cName)
    }

    /// Our file objects: SQLite's `sqlite3_file` header, a pointer to the ``EncryptedFile``,
    /// then the platform file.
    static let stateOffset = MemoryLayout<sqlite3_file>.stride
    static let platformFileOffset = 16

    static func owner(_ vfs: UnsafeMutablePointer<sqlite3_vfs>?) -> EncryptingVFS {
        Unmanaged<EncryptingVFS>.fromOpaque(vfs!.pointee.pAppData).takeUnretainedValue()
    }

    static func file(_ file: UnsafeMutablePointer<sqlite3_file>?) -> EncryptedFile {
        let pointer = UnsafeMutableRawPointer(file!).load(fromByteOffset: stateOffset, as: UnsafeMutableRawPointer.self)
        return Unmanaged<EncryptedFile>.fromOpaque(pointer).takeUnretainedValue()
    }

    private static func makeVFS(platform: UnsafeMutablePointer<sqlite3_vfs>, name: UnsafeMutablePointer<CChar>) -> sqlite3_vfs {
        var vfs = sqlite3_vfs()
        vfs.iVersion = 2
        vfs.szOsFile = Int32(platformFileOffset) + platform.pointee.szOsFile
        vfs.mxPathname = platform.pointee.mxPathname
        vfs.zName = UnsafePointer(name)
        vfs.xOpen = { vfs, name, file, flags, outFlags in
            EncryptingVFS.owner(vfs).open(name: name, file: file!, flags: flags, outFlags: outFlags)
        }
        vfs.xDelete = { vfs, name, syncDirectory in
            let platform = EncryptingVFS.owner(vfs).platform
            return platform.pointee.xDelete(platform, name, syncDirectory)
        }
        vfs.xAccess = { vfs, name, flags, result in
            let platform = EncryptingVFS.owner(vfs).platform
            return platform.pointee.xAccess(platform, name, flags, result)
        }
        vfs.xFullPathname = { vfs, name, count, output in
            let platform = EncryptingVFS.owner(vfs).platform
            return platform.pointee.xFullPathname(platform, name, count, output)
        }
        vfs.xDlOpen = { vfs, name in
            let platform = EncryptingVFS.owner(vfs).platform
            return platform.pointee.xDlOpen(platform, name)
        }
        vfs.xDlError = { vfs, count, output in
            let platform = EncryptingVFS.owner(vfs).platform
            platform.pointee.xDlError(platform, count, output)
        }
        vfs.xDlSym = { vfs, handle, symbol in
            let platform = EncryptingVFS.owner(vfs).platform
            return platform.pointee.xDlSym(platform, handle, symbol)
        }
        vfs.xDlClose = { vfs, handle in
            let platform = EncryptingVFS.owner(vfs).platform
            platform.pointee.xDlClose(platform, handle)
        }
        vfs.xRandomness = { vfs, count, output in
            let platform = EncryptingVFS.owner(vfs).platform
            return platform.pointee.xRandomness(platform, count, output)
        }
        vfs.xSleep = { vfs, microseconds in
            let platform = EncryptingVFS.owner(vfs).platform
            return platform.pointee.xSleep(platform, microseconds)
        }
        vfs.xCurrentTime = { vfs, time in
            let platform = EncryptingVFS.owner(vfs).platform
            return platform.pointee.xCurrentTime(platform, time)
        }
        vfs.xGetLastError = { vfs, count, output in
            let platform = EncryptingVFS.owner(vfs).platform
            return platform.pointee.xGetLastError?(platform, count, output) ?? 0
        }
        vfs.xCurrentTimeInt64 = { vfs, time in
            let platform = EncryptingVFS.owner(vfs).platform
            if platform.pointee.iVersion >= 2, let current = platform.pointee.xCurrentTimeInt64 {
                return current(platform, time)
            }
            var days = 0.0
            let result = platform.pointee.xCurrentTime(platform, &days)
            time?.pointee = sqlite3_int64(days * 86_400_000)
            return result
        }
        return vfs
    }

    private func open(
        name: UnsafePointer<CChar>?, file: UnsafeMutablePointer<sqlite3_file>, flags: Int32,
        outFlags: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        let raw = UnsafeMutableRawPointer(file)
        let platformFile = (raw + Self.platformFileOffset).assumingMemoryBound(to: sqlite3_file.self)
        file.pointee.pMethods = nil
        let kind = Self.kind(flags: flags)
        if kind == .mainDatabase && !keyState.claimMainDatabase(path: name.map { String(cString: $0) }) {
            // One instance keys one database: an ATTACHed file would need its own key.
            keyState.record(EncryptedSQLiteError.unsupportedOptions.with(
                message: "attaching another database to an encrypted connection is not supported"))
            return SQLITE_CANTOPEN
        }
        if kind == .mainDatabase, flags & SQLITE_OPEN_CREATE != 0, let name { Self.createOwnerOnly(name) }
        let databasePath: String? = switch kind {
        case .mainDatabase: name.map { String(cString: $0) }
        case .rollbackJournal, .writeAheadLog: name.flatMap { sqlite3_filename_database($0) }.map { String(cString: $0) }
        default: nil
        }
        let companion = kind == .rollbackJournal || kind == .writeAheadLog ? name.map { String(cString: $0) } : nil
        let suffix = kind == .rollbackJournal ? "-journal" : "-wal"
        let before = companion.map { CompanionFileCheck.inspect($0, databasePath: databasePath) }
        if before == .untrusted {
            keyState.record(CompanionFileCheck.refusal(suffix))
            return SQLITE_CANTOPEN
        }
        let result = platform.pointee.xOpen(platform, name, platformFile, flags, outFlags)
        guard result == SQLITE_OK else {
            if platformFile.pointee.pMethods != nil { _ = platformFile.pointee.pMethods.pointee.xClose(platformFile) }
            if kind == .mainDatabase { keyState.releaseMainDatabase() }
            return result
        }
        // Checked again once open: a file put there (or a link) between the two looks is refused
        // before anything is read from or written to it.
        if let companion, let before,
            !CompanionFileCheck.isSameTrustedFile(before: before, after: CompanionFileCheck.inspect(companion, databasePath: databasePath))
        {
            _ = platformFile.pointee.pMethods.pointee.xClose(platformFile)
            keyState.record(CompanionFileCheck.refusal(suffix))
            return SQLITE_CANTOPEN
        }
        let state = EncryptedFile(kind: kind, base: platformFile, owner: self, databasePath: databasePath)
        let prepared = state.prepare()
        guard prepared == SQLITE_OK else {
            _ = platformFile.pointee.pMethods.pointee.xClose(platformFile)
            if kind == .mainDatabase { keyState.releaseMainDatabase() }
            return prepared
        }
        raw.storeBytes(of: Unmanaged.passRetained(state).toOpaque(), toByteOffset: Self.stateOffset, as: UnsafeMutableRawPointer.self)
        file.pointee.pMethods = UnsafePointer(encryptedIOMethods)
        return SQLITE_OK
    }

    /// Creates a database file that does not exist yet with mode 0600. SQLite would create it
    /// 0644 less the umask, and its `-journal`, `-wal` and `-shm` files take the database's
    /// mode: a `-shm` readable by others shows which pages change, a writable one lets its
    /// writer mix up authentic pages (Documentation/EncryptedSQLite.md). An existing file
    /// keeps the mode its owner gave it.
    private static func createOwnerOnly(_ path: UnsafePointer<CChar>) {
        #if canImport(Glibc)
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        #else
        let descriptor = Darwin.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        #endif
        if descriptor >= 0 { close(descriptor) }
    }

    private static func kind(flags: Int32) -> EncryptedFile.Kind {
        if flags & SQLITE_OPEN_MAIN_DB != 0 { return .mainDatabase }
        if flags & SQLITE_OPEN_MAIN_JOURNAL != 0 { return .rollbackJournal }
        if flags & SQLITE_OPEN_WAL != 0 { return .writeAheadLog }
        if flags & SQLITE_OPEN_SUPER_JOURNAL != 0 { return .plain }
        // Temporary databases, their journals, statement journals, sort runs, anything unnamed.
        return .temporary
    }
}

/// The io methods of every file opened through an ``EncryptingVFS``. Version 2: shared
/// memory for WAL, and no xFetch/xUnfetch, so SQLite never memory-maps these files.
nonisolated(unsafe) let encryptedIOMethods: UnsafeMutablePointer<sqlite3_io_methods> = {
    let methods = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
    var value = sqlite3_io_methods()
    value.iVersion = 2
    value.xClose = { file in
        let pointer = UnsafeMutableRawPointer(file!).load(fromByteOffset: EncryptingVFS.stateOffset, as: UnsafeMutableRawPointer.self)
        let state = Unmanaged<EncryptedFile>.fromOpaque(pointer)
        let encrypted = state.takeUnretainedValue()
        let base = encrypted.base
        let result = base.pointee.pMethods.pointee.xClose(base)
        if encrypted.kind == .mainDatabase { encrypted.keyState.releaseMainDatabase() }
        state.release()
        file!.pointee.pMethods = nil
        return result
    }
    value.xRead = { file, buffer, count, offset in
        EncryptingVFS.file(file).read(UnsafeMutableRawBufferPointer(start: buffer, count: Int(count)), offset: offset)
    }
    value.xWrite = { file, buffer, count, offset in
        EncryptingVFS.file(file).write(UnsafeRawBufferPointer(start: buffer, count: Int(count)), offset: offset)
    }
    value.xTruncate = { file, size in
        let encrypted = EncryptingVFS.file(file)
        encrypted.noteTruncate()
        return encrypted.outsideCopyingLoop { $0.xTruncate($1, size) }
    }
    value.xSync = { file, flags in
        EncryptingVFS.file(file).outsideCopyingLoop { $0.xSync($1, flags) }
    }
    value.xFileSize = { file, size in
        EncryptingVFS.file(file).fileSize(size)
    }
    value.xLock = { file, level in
        EncryptingVFS.file(file).outsideCopyingLoop { $0.xLock($1, level) }
    }
    value.xUnlock = { file, level in
        EncryptingVFS.file(file).outsideCopyingLoop { $0.xUnlock($1, level) }
    }
    value.xCheckReservedLock = { file, result in
        let base = EncryptingVFS.file(file).base
        return base.pointee.pMethods.pointee.xCheckReservedLock(base, result)
    }
    value.xFileControl = { file, operation, argument in
        let encrypted = EncryptingVFS.file(file)
        let base = encrypted.base
        encrypted.noteFileControl(operation)
        if operation == SQLITE_FCNTL_MMAP_SIZE {
            // Memory-mapped reads would bypass decryption: the limit stays 0.
            argument?.storeBytes(of: sqlite3_int64(0), as: sqlite3_int64.self)
            return SQLITE_OK
        }
        return base.pointee.pMethods.pointee.xFileControl(base, operation, argument)
    }
    value.xSectorSize = { file in
        let base = EncryptingVFS.file(file).base
        return base.pointee.pMethods.pointee.xSectorSize(base)
    }
    value.xDeviceCharacteristics = { file in
        let base = EncryptingVFS.file(file).base
        return base.pointee.pMethods.pointee.xDeviceCharacteristics(base)
    }
    value.xShmMap = { file, region, size, extend, pointer in
        EncryptingVFS.file(file).mapSharedMemory { $0.xShmMap($1, region, size, extend, pointer) }
    }
    value.xShmLock = { file, offset, count, flags in
        let base = EncryptingVFS.file(file).base
        return base.pointee.pMethods.pointee.xShmLock(base, offset, count, flags)
    }
    value.xShmBarrier = { file in
        let base = EncryptingVFS.file(file).base
        base.pointee.pMethods.pointee.xShmBarrier(base)
    }
    value.xShmUnmap = { file, delete in
        let base = EncryptingVFS.file(file).base
        return base.pointee.pMethods.pointee.xShmUnmap(base, delete)
    }
    methods.initialize(to: value)
    return methods
}()
