/// Reads into scratch memory and returns exactly the bytes read, so an array a socket
/// returns holds what arrived, not the most a read may take: a server keeping the last
/// read of thousands of quiet connections keeps a few bytes each, not 64 KiB.
package enum ReadBuffer {
    /// Calls `body` with `capacity` bytes of scratch memory (on the stack when it fits) and
    /// copies out the first `n` bytes, `n` being what `body` returns; an empty array when it
    /// returns 0 or less (end of stream, or a failure the caller noted).
    package static func receive(upTo capacity: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Int) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, capacity)) { scratch in
            let count = min(body(scratch), scratch.count)
            guard count > 0 else { return [] }
            return Array(UnsafeBufferPointer(rebasing: scratch[..<count]))
        }
    }
}
