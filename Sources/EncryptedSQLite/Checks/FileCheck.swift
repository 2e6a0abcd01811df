import CommunityMailCrypto
import Foundation

/// Checks a database file before SQLite opens it, so that a wrong key or a plain file is
/// reported as such (and not as a generic SQLite error at some later read).
enum FileCheck {
    /// - Returns: true when the file is missing or empty (a database to create).
    /// - Throws: ``EncryptedSQLiteError/notEncrypted``, ``EncryptedSQLiteError/wrongKey``,
    ///   ``EncryptedSQLiteError/io``, ``EncryptedSQLiteError/unsupportedOptions``.
    static func verify(
        path: String, configuration: EncryptedDatabase.Configuration, keyState: DatabaseKeyState
    ) throws(EncryptedSQLiteError) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw EncryptedSQLiteError.io.with(message: "cannot read the database file")
            }
            guard configuration.create else {
                throw EncryptedSQLiteError.io.with(message: "the database file does not exist")
            }
            return true
        }
        defer { try? handle.close() }
        let header: Data
        do { header = try handle.read(upToCount: 65536) ?? Data() } catch {
            throw EncryptedSQLiteError.io.with(message: "cannot read the database file")
        }
        if header.isEmpty { return true }
        let bytes = [UInt8](header)
        if bytes.count >= 16 && Array(bytes[0..<16]) == PageCipher.sqliteMagic {
            throw EncryptedSQLiteError.notEncrypted.with(
                message: "the file is a plain SQLite database, not an encrypted one")
        }
        guard bytes.count >= 24 else { throw EncryptedSQLiteError.notEncrypted }
        let pageSize: Int
        if configuration.legacy {
            pageSize = configuration.pageSize
        } else {
            guard let size = PageFormat.pageSize(headerBytes16And17: bytes[16], bytes[17]) else {
                throw EncryptedSQLiteError.notEncrypted.with(
                    message: "the file is not an encrypted database (its header holds no valid page size)")
            }
            guard bytes[20] == UInt8(PageCipher.reserveBytes) else {
                throw EncryptedSQLiteError.unsupportedOptions.with(
                    message: "the file reserves \(bytes[20]) bytes per page; the chacha20 format needs 32")
            }
            pageSize = size
        }
        guard bytes.count >= pageSize else {
            throw EncryptedSQLiteError.notEncrypted.with(message: "the file is shorter than one page")
        }
        var page = Array(bytes[0..<pageSize])
        defer { SecureMemory.wipe(&page) }
        let authentic: Bool
        do {
            let master = try keyState.masterKey(salt: Array(bytes[0..<16]))
            let cipher = try PageCipher(key: master, legacy: configuration.legacy)
            authentic = try page.withUnsafeMutableBytes { try cipher.decrypt(page: $0, pageNumber: 1) }
        } catch {
            throw EncryptedSQLiteError.io.with(message: "key derivation or decryption failed")
        }
        guard authentic else { throw EncryptedSQLiteError.wrongKey }
        return false
    }
}
