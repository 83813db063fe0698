/// Why a file could not be read or labelled. The message names the file's fault in plain words; a
/// failed write leaves the original file untouched.
package struct MediaError: Error, Hashable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }

    static func truncated(_ format: String) -> MediaError {
        MediaError("the \(format) file is truncated or damaged")
    }
}
