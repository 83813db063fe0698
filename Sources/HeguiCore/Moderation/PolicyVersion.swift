import Crypto

/// Names the lexicons and policies in force: the first 16 hex digits of a SHA-256 over their
/// sources, in order. Every moderation decision records it (issue 5 item 7), so an auditor can
/// tell which rules produced a verdict; the same files always give the same version.
package enum PolicyVersion {
    package static func make(sources: [[UInt8]]) -> String {
        var hasher = SHA256()
        for source in sources {
            withUnsafeBytes(of: UInt64(source.count).littleEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: source)
        }
        return String(HexEncoding.encode(Array(hasher.finalize())).prefix(16))
    }
}
