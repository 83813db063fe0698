extension [UInt8] {
    func uint16BE(at offset: Int) -> Int { Int(self[offset]) << 8 | Int(self[offset + 1]) }
    func uint16LE(at offset: Int) -> Int { Int(self[offset + 1]) << 8 | Int(self[offset]) }
    func uint24BE(at offset: Int) -> Int { Int(self[offset]) << 16 | self.uint16BE(at: offset + 1) }
    func uint32BE(at offset: Int) -> Int { self.uint16BE(at: offset) << 16 | self.uint16BE(at: offset + 2) }
    func uint32LE(at offset: Int) -> Int { self.uint16LE(at: offset + 2) << 16 | self.uint16LE(at: offset) }
    func uint64BE(at offset: Int) -> Int { self.uint32BE(at: offset) << 32 | self.uint32BE(at: offset + 4) }

    /// Four bytes as ASCII (a chunk or box type).
    func fourCC(at offset: Int) -> String {
        String(decoding: self[offset..<offset + 4], as: Unicode.ASCII.self)
    }

    /// The first index of `needle` at or after `start`.
    func firstIndex(of needle: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, self.count >= needle.count else { return nil }
        var index = start
        while index <= self.count - needle.count {
            if self[index] == needle[0], self[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    mutating func appendUInt16BE(_ value: Int) {
        self.append(UInt8(truncatingIfNeeded: value >> 8))
        self.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt32BE(_ value: Int) {
        self.appendUInt16BE(value >> 16)
        self.appendUInt16BE(value)
    }

    mutating func appendUInt16LE(_ value: Int) {
        self.append(UInt8(truncatingIfNeeded: value))
        self.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func appendUInt32LE(_ value: Int) {
        self.appendUInt16LE(value)
        self.appendUInt16LE(value >> 16)
    }

    mutating func setUInt32BE(_ value: Int, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 24)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        self[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 3] = UInt8(truncatingIfNeeded: value)
    }

    mutating func setUInt32LE(_ value: Int, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 2] = UInt8(truncatingIfNeeded: value >> 16)
        self[offset + 3] = UInt8(truncatingIfNeeded: value >> 24)
    }
}
