#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bytes of a file to read at any offset without loading it: a file read with `pread`, or an
/// array already in memory (a model's base64 answer).
package final class MediaInput: @unchecked Sendable {
    enum Storage {
        case file(descriptor: Int32, path: String)
        case memory([UInt8])
    }

    let storage: Storage
    /// The size in bytes.
    package let count: Int

    /// Opens a file for reading.
    package init(path: String) throws(MediaError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw MediaError("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw MediaError("'\(path)' is not a regular file")
        }
        self.storage = .file(descriptor: descriptor, path: path)
        self.count = Int(status.st_size)
    }

    /// The file's path, for a file.
    package var path: String? {
        if case .file(_, let path) = self.storage { return path }
        return nil
    }

    /// Wraps bytes held in memory.
    package init(bytes: [UInt8]) {
        self.storage = .memory(bytes)
        self.count = bytes.count
    }

    deinit {
        if case .file(let descriptor, _) = self.storage { close(descriptor) }
    }

    /// The bytes in `range`, which must lie inside the input.
    package func read(_ range: Range<Int>) throws(MediaError) -> [UInt8] {
        try self.read(joining: [range])
    }

    /// The bytes of `ranges`, one after another, read straight into one array (no copy on the way
    /// and no zero-filling first: the image data of a large PNG is tens of megabytes).
    package func read(joining ranges: [Range<Int>]) throws(MediaError) -> [UInt8] {
        guard ranges.allSatisfy({ $0.lowerBound >= 0 && $0.upperBound <= self.count }) else {
            throw MediaError("read past the end of the file")
        }
        let total = ranges.reduce(0) { $0 + $1.count }
        switch self.storage {
        case .memory(let bytes):
            var result: [UInt8] = []
            result.reserveCapacity(total)
            for range in ranges { result += bytes[range] }
            return result
        case .file(let descriptor, _):
            var failure: Int32?
            let result = [UInt8](unsafeUninitializedCapacity: total) { target, initialized in
                var at = 0
                reading: for range in ranges {
                    var done = 0
                    while done < range.count {
                        let got = pread(
                            descriptor,
                            target.baseAddress! + at + done,
                            range.count - done,
                            off_t(range.lowerBound + done)
                        )
                        if got < 0, errno == EINTR { continue }
                        guard got > 0 else {
                            failure = got < 0 ? errno : EIO
                            break reading
                        }
                        done += got
                    }
                    at += range.count
                }
                initialized = failure == nil ? total : 0
            }
            if let failure { throw MediaError("cannot read the file: \(String(cString: strerror(failure)))") }
            return result
        }
    }

    /// Up to `count` bytes from `offset` (fewer at the end of the input).
    package func read(at offset: Int, upTo count: Int) throws(MediaError) -> [UInt8] {
        try self.read(offset..<min(self.count, offset + count))
    }

    /// Feeds the bytes of `ranges` to `body` in pieces of at most 1 MiB.
    package func forEachPiece(of ranges: [Range<Int>], _ body: ([UInt8]) -> Void) throws(MediaError) {
        for range in ranges {
            var offset = range.lowerBound
            while offset < range.upperBound {
                let end = min(range.upperBound, offset + (1 << 20))
                body(try self.read(offset..<end))
                offset = end
            }
        }
    }
}

/// Reads small pieces of an input front to back through a window of it: one `pread` per 256 KiB
/// instead of one per piece (a PNG's chunk headers are a few kilobytes apart, thousands of them).
struct WindowedReader {
    let input: MediaInput
    private var window: [UInt8] = []
    private var windowStart = 0

    init(_ input: MediaInput) {
        self.input = input
    }

    /// Up to `count` bytes from `offset` (fewer at the end of the input).
    mutating func read(at offset: Int, upTo count: Int) throws(MediaError) -> [UInt8] {
        let end = min(self.input.count, offset + count)
        guard offset >= 0, offset <= end else { throw MediaError("read past the end of the file") }
        if offset < self.windowStart || end > self.windowStart + self.window.count {
            self.window = try self.input.read(at: offset, upTo: max(count, 256 << 10))
            self.windowStart = offset
        }
        return Array(self.window[(offset - self.windowStart)..<(end - self.windowStart)])
    }
}
