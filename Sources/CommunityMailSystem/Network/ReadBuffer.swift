/// Sizes what a read returns to what it read, so an array a socket returns holds what
/// arrived, not the most a read may take: a server keeping the last read of thousands of
/// quiet connections keeps a few bytes each, not 64 KiB.
package enum ReadBuffer {
    /// Calls `body` with `capacity` bytes of uninitialised memory; `body` fills a prefix and
    /// returns its length (0 or less: nothing, for the end of a stream or a failure the
    /// caller noted). A read that filled at least three quarters of the buffer is returned
    /// as it is (a bulk transfer pays no copy; at most a quarter is slack); a shorter one is
    /// copied into an array of its own size.
    package static func receive(upTo capacity: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Int) -> [UInt8] {
        let capacity = max(1, capacity)
        var count = 0
        let filled = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            count = max(0, min(body(buffer), capacity))
            initialized = count
        }
        if count * 4 >= capacity * 3 { return filled }
        // Not `Array(filled[...])`: a slice of the whole array would share its storage.
        return filled.withUnsafeBufferPointer { Array($0) }
    }
}
