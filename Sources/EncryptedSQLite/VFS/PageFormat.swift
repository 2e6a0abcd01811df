/// Small facts of SQLite's on-disk formats that the VFS needs.
enum PageFormat {
    /// True for a power of two from 512 to 65536.
    static func isValidPageSize(_ size: Int) -> Bool {
        size >= 512 && size <= 65536 && size & (size - 1) == 0
    }

    /// The page size stored big-endian in header bytes 16-17 (1 means 65536), if valid.
    static func pageSize(headerBytes16And17 high: UInt8, _ low: UInt8) -> Int? {
        let raw = Int(high) << 8 | Int(low)
        let size = raw == 1 ? 65536 : raw
        return isValidPageSize(size) ? size : nil
    }

    /// A WAL header's page size field, or 0 when invalid.
    static func walPageSize(_ raw: UInt32) -> Int {
        let size = Int(raw)
        return isValidPageSize(size) ? size : 0
    }

    /// The big-endian 32-bit integer at the start of `bytes`.
    static func bigEndian32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var value: UInt32 = 0
        for byte in bytes.prefix(4) { value = value << 8 | UInt32(byte) }
        return value
    }
}
