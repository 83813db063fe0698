import Foundation
package import HeguiStore
import NIOConcurrencyHelpers

/// Labelled copies of generated files whose model answered with a URL: kept in the data directory
/// (`generated/`) for `labels.file_lifetime_hours`, served at `/generated/<name>` under a random,
/// unguessable name, as the model's own file URLs are. Without a data directory they are kept in
/// memory (the newest 256).
package final class GeneratedFiles: Sendable {
    private let directory: String?
    private let lifetime: TimeInterval
    private let memory = NIOLockedValueBox<[(name: String, time: Date, bytes: [UInt8])]>([])
    private let lastSweep = NIOLockedValueBox<Date>(.distantPast)

    package init(dataDirectory: DataDirectory?, lifetimeHours: Int) {
        self.lifetime = TimeInterval(lifetimeHours * 3_600)
        if let dataDirectory {
            let path = dataDirectory.filePath("generated")
            try? FileManager.default.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
            self.directory = path
        } else {
            self.directory = nil
        }
    }

    /// The content type of a stored name's extension.
    package static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "png": "image/png"
        case "jpg": "image/jpeg"
        case "webp": "image/webp"
        case "gif": "image/gif"
        default: "application/octet-stream"
        }
    }

    /// Stores `bytes` and returns the name it is served under.
    package func store(_ bytes: [UInt8], fileExtension: String) throws -> String {
        let name =
            (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() + "." + fileExtension
        if let directory = self.directory {
            let path = "\(directory)/\(name)"
            guard
                FileManager.default.createFile(
                    atPath: path,
                    contents: Data(bytes),
                    attributes: [.posixPermissions: 0o600]
                )
            else { throw CocoaError(.fileWriteUnknown) }
        } else {
            self.memory.withLockedValue {
                $0.append((name, Date(), bytes))
                if $0.count > 256 { $0.removeFirst() }
            }
        }
        self.sweepIfDue()
        return name
    }

    /// The stored file, while it has not expired.
    package func load(_ name: String) -> [UInt8]? {
        // Only names this store made: hex, a dot, a short extension.
        guard name.count <= 40, name.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == "." || $0.isLetter) }),
            name.filter({ $0 == "." }).count == 1
        else { return nil }
        if let directory = self.directory {
            let path = "\(directory)/\(name)"
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let modified = attributes[.modificationDate] as? Date,
                Date().timeIntervalSince(modified) < self.lifetime
            else { return nil }
            return (try? Data(contentsOf: URL(fileURLWithPath: path))).map { Array($0) }
        }
        return self.memory.withLockedValue { files in
            files.first { $0.name == name && Date().timeIntervalSince($0.time) < self.lifetime }?.bytes
        }
    }

    /// Removes expired files, at most once a minute.
    private func sweepIfDue() {
        let now = Date()
        let due = self.lastSweep.withLockedValue { last in
            guard now.timeIntervalSince(last) > 60 else { return false }
            last = now
            return true
        }
        guard due else { return }
        if let directory = self.directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for name in names {
                let path = "\(directory)/\(name)"
                if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate]
                    as? Date,
                    now.timeIntervalSince(modified) >= self.lifetime
                {
                    try? FileManager.default.removeItem(atPath: path)
                }
            }
        } else {
            self.memory.withLockedValue { $0.removeAll { now.timeIntervalSince($0.time) >= self.lifetime } }
        }
    }
}
