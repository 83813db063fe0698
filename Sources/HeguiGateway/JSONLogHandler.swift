import HeguiCore
package import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes one JSON object per log event, for log collectors:
/// `{"time":"…Z","level":"info","label":"hegui","source":"HeguiGateway","message":"…","metadata":{…}}`.
///
/// Metadata is rendered only when a line is written, never when it is set.
package struct JSONLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    package var logLevel: Logger.Level
    private let label: String
    private let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - label: the logger's label.
    ///   - level: the lowest level written.
    ///   - write: receives each line, newline included; standard error by default.
    package init(
        label: String,
        level: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = JSONLogHandler.writeToStandardError
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.write = write
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        self.write(
            Self.line(
                level: event.level,
                label: self.label,
                source: event.source,
                message: event.message.description,
                metadata: merged
            )
        )
    }

    /// One log line, newline included.
    package static func line(
        level: Logger.Level,
        label: String,
        source: String,
        message: String,
        metadata: Logger.Metadata
    ) -> String {
        var line = "{\"time\":\"\(Self.timestamp())\",\"level\":\"\(level.rawValue)\",\"label\":"
        JSONValue.serialize(string: label, into: &line)
        line += ",\"source\":"
        JSONValue.serialize(string: source, into: &line)
        line += ",\"message\":"
        JSONValue.serialize(string: message, into: &line)
        if !metadata.isEmpty {
            line += ",\"metadata\":"
            Self.json(.dictionary(metadata)).serialize(into: &line)
        }
        line += "}\n"
        return line
    }

    /// Metadata as JSON: strings as strings, nested dictionaries and arrays as such.
    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(Self.json))
        case .dictionary(let dictionary):
            .object(JSONObject(dictionary.sorted { $0.key < $1.key }.map { (key: $0.key, value: Self.json($0.value)) }))
        }
    }

    /// UTC time with milliseconds: `2026-11-29T03:10:00.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    /// Writes a line to standard error in one system call where it fits (lines from several threads
    /// do not interleave).
    package static let writeToStandardError: @Sendable (String) -> Void = { line in
        writeAll(line, toDescriptor: 2)
    }
}

private func writeAll(_ line: String, toDescriptor descriptor: Int32) {
    var line = line
    line.withUTF8 { bytes in
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}
