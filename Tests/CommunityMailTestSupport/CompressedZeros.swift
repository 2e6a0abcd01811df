public import Foundation

/// A decompression bomb for tests: `count` zero bytes as a small, valid `deflate` (RFC 1950
/// zlib) or `gzip` (RFC 1952) body, built without a compression library.
///
/// One fixed-Huffman block (RFC 1951 section 3.2.6): a literal zero, then back-references
/// of 258 bytes at distance 1 (13 bits each), then the remainder as literals; about 160
/// to 1.
public enum CompressedZeros {
    /// The HTTP `Content-Encoding` token of each wrapper.
    public enum Wrapper: String, Sendable, CaseIterable {
        /// RFC 1950 zlib, which HTTP calls `deflate`.
        case deflate
        /// RFC 1952.
        case gzip
    }

    /// `count` zero bytes (at least 1) compressed in `wrapper`.
    public static func body(count: Int, wrapper: Wrapper) -> Data {
        precondition(count >= 1)
        var out: [UInt8]
        switch wrapper {
        case .deflate: out = [0x78, 0x01]
        case .gzip: out = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        }
        out += rawDeflate(count: count)
        switch wrapper {
        case .deflate:
            // Adler-32 of zeros: a stays 1, b gains 1 per byte.
            let adler = UInt32(count % 65521) << 16 | 1
            out += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
        case .gzip:
            let crc = crc32OfZeros(count)
            let size = UInt32(truncatingIfNeeded: count)
            for value in [crc, size] {
                out += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
            }
        }
        return Data(out)
    }

    private static func rawDeflate(count: Int) -> [UInt8] {
        var writer = BitWriter()
        writer.write(1, bits: 1)  // BFINAL
        writer.write(1, bits: 2)  // BTYPE 01: fixed Huffman codes
        let literalZero = reversed(0x30, bits: 8)
        let length258 = reversed(0xC5, bits: 8)  // symbol 285, no extra bits
        writer.write(literalZero, bits: 8)
        let matches = (count - 1) / 258
        for _ in 0..<matches {
            writer.write(length258, bits: 8)
            writer.write(0, bits: 5)  // distance code 0: distance 1
        }
        for _ in 0..<(count - 1 - matches * 258) { writer.write(literalZero, bits: 8) }
        writer.write(0, bits: 7)  // end of block, symbol 256
        return writer.finish()
    }

    /// Huffman codes are sent most significant bit first, inside an LSB-first bit stream.
    private static func reversed(_ code: UInt64, bits: Int) -> UInt64 {
        var result: UInt64 = 0
        for index in 0..<bits where code >> index & 1 == 1 { result |= 1 << (bits - 1 - index) }
        return result
    }

    private struct BitWriter {
        var bytes: [UInt8] = []
        var accumulator: UInt64 = 0
        var used = 0

        mutating func write(_ value: UInt64, bits: Int) {
            accumulator |= value << used
            used += bits
            while used >= 8 {
                bytes.append(UInt8(accumulator & 0xFF))
                accumulator >>= 8
                used -= 8
            }
        }

        mutating func finish() -> [UInt8] {
            if used > 0 { bytes.append(UInt8(accumulator & 0xFF)) }
            return bytes
        }
    }

    /// CRC-32 of `count` zero bytes in O(log count): the register's advance over zero
    /// bytes is linear, so it is a 32×32 matrix over GF(2), squared per bit of `count`.
    static func crc32OfZeros(_ count: Int) -> UInt32 {
        typealias Matrix = [UInt32]
        func times(_ matrix: Matrix, _ vector: UInt32) -> UInt32 {
            var sum: UInt32 = 0
            var vector = vector
            var index = 0
            while vector != 0 {
                if vector & 1 == 1 { sum ^= matrix[index] }
                vector >>= 1
                index += 1
            }
            return sum
        }
        func square(_ matrix: Matrix) -> Matrix { matrix.map { times(matrix, $0) } }
        // One zero bit: shift right, folding in the polynomial.
        var oneBit: Matrix = [0xEDB8_8320]
        for index in 1..<32 { oneBit.append(1 << (index - 1)) }
        var power = square(square(square(oneBit)))  // one zero byte
        var register: UInt32 = 0xFFFF_FFFF
        var remaining = count
        while remaining > 0 {
            if remaining & 1 == 1 { register = times(power, register) }
            power = square(power)
            remaining >>= 1
        }
        return ~register
    }
}
