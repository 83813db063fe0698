/// Lower-case hexadecimal text of bytes, without per-byte string formatting (it runs on every request).
package enum HexEncoding {
    private static let digits = Array("0123456789abcdef".utf8)

    package static func encode(_ bytes: some Sequence<UInt8>) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ Self.encode(UnsafeRawBufferPointer($0)) }) {
            return text
        }
        return Self.encode(Array(bytes))
    }

    /// The hex text of contiguous bytes, written straight into the string's storage.
    package static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            var index = 0
            for byte in bytes {
                output[index] = Self.digits[Int(byte >> 4)]
                output[index + 1] = Self.digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    /// Each byte's digit value, or 0x10 for a byte that is not a hexadecimal digit.
    package static let digitValues: [UInt8] = (0...255).map { Self.value(of: UInt8($0)) ?? 0x10 }

    /// The value of one hexadecimal digit (either case).
    package static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The bytes of hexadecimal text (either case); `nil` for an odd length or another character.
    package static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
