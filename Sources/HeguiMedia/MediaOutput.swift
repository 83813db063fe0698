import CHeguiPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a labelled file is written: a temporary file beside the destination, renamed over it only
/// when the whole file is written and read back (a failure never leaves half a file), or memory.
///
/// Ranges of the input are copied in the kernel (`copy_file_range`, else `sendfile`) where both are
/// files, so large media never pass through the process.
package final class MediaOutput {
    private enum Storage {
        case file(descriptor: Int32, temporary: String, destination: String)
        case memory
    }

    private var storage: Storage
    private var buffer: [UInt8] = []
    private var usesSendfile = false
    /// The bytes written so far.
    package private(set) var count = 0

    /// Writes to a temporary file that ``commit()`` renames to `destination`.
    package init(destination: String) throws(MediaError) {
        let directory = destination.lastIndex(of: "/").map { String(destination[..<$0]) } ?? "."
        let name = destination.split(separator: "/").last.map(String.init) ?? destination
        var template = Array("\(directory.isEmpty ? "/" : directory)/.\(name).hegui-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw MediaError("cannot write beside '\(destination)': \(String(cString: strerror(errno)))")
        }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        self.storage = .file(descriptor: descriptor, temporary: temporary, destination: destination)
    }

    /// Collects the output in memory (``bytes``).
    package init() {
        self.storage = .memory
    }

    deinit {
        if case .file(let descriptor, let temporary, _) = self.storage {
            close(descriptor)
            unlink(temporary)
        }
    }

    /// The output, for one held in memory.
    package var bytes: [UInt8] { self.buffer }

    /// Bytes to note the position of whenever a write contains them (a stand-in seal).
    private var pattern: [UInt8] = []
    private var patternOffsets: [Int] = []

    /// Notes where `pattern` is written from now on, for ``overwriteWatched(with:)``.
    package func watch(for pattern: [UInt8]) {
        self.pattern = pattern
        self.patternOffsets = []
    }

    /// Overwrites every watched occurrence with `replacement`, of the same length.
    package func overwriteWatched(with replacement: [UInt8]) throws(MediaError) {
        guard replacement.count == self.pattern.count, !self.patternOffsets.isEmpty else {
            throw MediaError("the seal could not be placed in the written file")
        }
        try self.flush()
        for offset in self.patternOffsets {
            switch self.storage {
            case .memory:
                self.buffer.replaceSubrange(offset..<offset + replacement.count, with: replacement)
            case .file(let descriptor, _, _):
                let written = replacement.withUnsafeBytes {
                    pwrite(descriptor, $0.baseAddress!, $0.count, off_t(offset))
                }
                guard written == replacement.count else {
                    throw MediaError("cannot write the file: \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    package func write(_ bytes: some Collection<UInt8>) throws(MediaError) {
        if !self.pattern.isEmpty, bytes.count >= self.pattern.count,
            let found = Array(bytes).firstRange(of: self.pattern)
        {
            self.patternOffsets.append(self.count + found.lowerBound)
        }
        self.buffer.append(contentsOf: bytes)
        self.count += bytes.count
        if case .file = self.storage, self.buffer.count >= 1 << 20 { try self.flush() }
    }

    package func write(_ text: String) throws(MediaError) {
        try self.write(Array(text.utf8))
    }

    package func writeUInt32BE(_ value: UInt32) throws(MediaError) {
        try self.write([
            UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value),
        ])
    }

    package func writeUInt32LE(_ value: UInt32) throws(MediaError) {
        try self.write([
            UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value >> 16), UInt8(value >> 24),
        ])
    }

    /// Copies `range` of `input` unchanged.
    package func copy(_ range: Range<Int>, of input: MediaInput) throws(MediaError) {
        guard !range.isEmpty else { return }
        #if os(Linux)
            if case .file(let target, _, _) = self.storage, case .file(let source, _) = input.storage,
                range.count >= 64 << 10
            {
                try self.flush()
                var from = off_t(range.lowerBound)
                var remaining = range.count
                while remaining > 0 {
                    // copy_file_range copies (or shares) extents in the kernel; sendfile where it is
                    // missing or refuses this pair of files.
                    var copied = self.usesSendfile ? -1 : hegui_copy_file_range(source, &from, target, remaining)
                    if copied < 0, errno == EINTR { continue }
                    if copied < 0 {
                        self.usesSendfile = true
                        copied = sendfile(target, source, &from, remaining)
                    }
                    if copied < 0, errno == EINTR { continue }
                    if copied <= 0 { break }  // neither works here: fall back to reading
                    remaining -= copied
                    self.count += copied
                }
                if remaining == 0 { return }
                try input.forEachPiece(of: [Int(from)..<range.upperBound]) { piece in
                    self.buffer.append(contentsOf: piece)
                    self.count += piece.count
                }
                try self.flush()
                return
            }
        #endif
        var failure: MediaError?
        try input.forEachPiece(of: [range]) { piece in
            guard failure == nil else { return }
            do throws(MediaError) { try self.write(piece) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private func flush() throws(MediaError) {
        guard case .file(let descriptor, _, _) = self.storage, !self.buffer.isEmpty else { return }
        var done = 0
        while done < self.buffer.count {
            let written = self.buffer.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + done, $0.count - done)
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw MediaError("cannot write the file: \(String(cString: strerror(errno)))") }
            done += written
        }
        self.buffer.removeAll(keepingCapacity: true)
    }

    /// Writes out what is buffered and, for a file, returns the temporary path to read back before
    /// ``commit()``.
    /// - Parameter durable: whether the data must reach the disk first (not for an intermediate
    ///   file that is read at once and removed).
    package func finish(durable: Bool = true) throws(MediaError) -> String? {
        try self.flush()
        guard case .file(let descriptor, let temporary, _) = self.storage else { return nil }
        guard !durable || fdatasync(descriptor) == 0 else {
            throw MediaError("cannot write the file: \(String(cString: strerror(errno)))")
        }
        return temporary
    }

    /// Renames the finished temporary file over the destination, keeping the original's permissions.
    package func commit(mode: UInt32?) throws(MediaError) {
        guard case .file(let descriptor, let temporary, let destination) = self.storage else { return }
        if let mode { fchmod(descriptor, mode_t(mode)) } else { fchmod(descriptor, 0o644) }
        guard rename(temporary, destination) == 0 else {
            throw MediaError("cannot replace '\(destination)': \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        self.storage = .memory
    }
}
