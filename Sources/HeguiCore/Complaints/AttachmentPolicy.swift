/// What a complainant may attach (IM-15 forms): a few small files of plain kinds, recognised by
/// their first bytes rather than by the name or type the browser claims.
package struct AttachmentPolicy: Sendable, Hashable {
    package var maximumFiles = 3
    package var maximumBytes = 2 << 20

    package init() {}

    /// The media type of a file's bytes, when it is one of the accepted kinds: PNG, JPEG, GIF,
    /// WebP, PDF, or UTF-8 text without control characters.
    package static func mediaType(of bytes: [UInt8]) -> String? {
        func starts(_ prefix: [UInt8]) -> Bool {
            bytes.count >= prefix.count && Array(bytes.prefix(prefix.count)) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if bytes.count >= 12, starts(Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "image/webp"
        }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        if let text = String(validating: bytes, as: UTF8.self),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 && !"\n\r\t".unicodeScalars.contains($0) })
        {
            return "text/plain; charset=utf-8"
        }
        return nil
    }

    /// A file name fit to show and to send back: the last path component, no control characters
    /// or quotes, at most 100 characters.
    package static func safeFilename(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(
            last.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\u{7F}" }.prefix(100)
        )
        return cleaned.isEmpty ? "attachment" : cleaned
    }
}
