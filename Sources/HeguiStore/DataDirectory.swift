import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The directory where the gateway keeps its state (`./hegui-data` by default): created on first
/// start, private to the gateway's user (mode 0700).
package struct DataDirectory: Sendable {
    /// The directory's path as configured.
    package let path: String

    /// Creates the directory (and its parents) if missing and checks that it can be written.
    /// - Throws: ``DataDirectoryError`` when it cannot be created or written.
    package static func prepare(at path: String) throws(DataDirectoryError) -> DataDirectory {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw DataDirectoryError(path: path, reason: "exists and is not a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: path,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
            } catch {
                throw DataDirectoryError(path: path, reason: "cannot be created")
            }
        }
        let directory = DataDirectory(path: path)
        guard directory.isWritable else { throw DataDirectoryError(path: path, reason: "is not writable") }
        return directory
    }

    /// Whether the gateway can still write to the directory (used by `/readyz`).
    package var isWritable: Bool {
        access(self.path, W_OK | X_OK) == 0
    }

    /// The path of a file inside the directory.
    package func filePath(_ name: String) -> String {
        (self.path as NSString).appendingPathComponent(name)
    }

    /// Reads a small text file in the directory, trimmed; `nil` when it does not exist.
    package func readText(_ name: String) throws(DataDirectoryError) -> String? {
        let path = self.filePath(name)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw DataDirectoryError(path: path, reason: "cannot be read")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Creates a file readable by the owner only (mode 0600) with `contents`; fails if it exists.
    package func createSecretFile(_ name: String, contents: String) throws(DataDirectoryError) {
        let path = self.filePath(name)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw DataDirectoryError(path: path, reason: "cannot be created") }
        defer { close(descriptor) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw DataDirectoryError(path: path, reason: "cannot be written") }
    }
}

/// A data-directory path that cannot be used, and why.
package struct DataDirectoryError: Error, CustomStringConvertible, Sendable {
    package var path: String
    package var reason: String

    package var description: String { "data directory: '\(self.path)' \(self.reason)" }
}
