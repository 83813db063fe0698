import HeguiCore
package import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes one line per log event, as `key=value` text or as JSON for log collectors:
///
/// - text, in swift-log's `StreamLogHandler` layout with the time in UTC:
///   `2026-11-30T08:42:38+0000 info hegui : http.status=200 request.id=… [HeguiGateway] request completed`;
/// - JSON: `{"time":"…Z","level":"info","label":"hegui","source":"HeguiGateway","message":"…","metadata":{…}}`.
///
/// Each line goes to `write` (the gateway's ``LogSink``), never straight to standard error, and
/// no time zone is read (the C library would check `/etc/localtime` for every line). Metadata is
/// rendered only when a line is written, never when it is set.
package struct LineLogHandler: LogHandler {
    /// How a line is written.
    package enum Format: Sendable {
        case text
        case json
    }

    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    package var logLevel: Logger.Level
    private let label: String
    private let format: Format
    private let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - label: the logger's label.
    ///   - format: text or JSON.
    ///   - level: the lowest level written.
    ///   - write: receives each line, newline included.
    package init(
        label: String,
        format: Format,
        level: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.format = format
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
                self.format,
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
        _ format: Format,
        level: Logger.Level,
        label: String,
        source: String,
        message: String,
        metadata: Logger.Metadata
    ) -> String {
        switch format {
        case .text:
            var line = Self.timestamp(format) + " " + level.rawValue + " " + label + " :"
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                line += " \(key)=\(value)"
            }
            return line + " [" + source + "] " + message + "\n"
        case .json:
            var line = "{\"time\":\"\(Self.timestamp(format))\",\"level\":\"\(level.rawValue)\",\"label\":"
            JSONValue.serialize(string: label, into: &line)
            line += ",\"source\":"
            JSONValue.serialize(string: source, into: &line)
            line += ",\"message\":"
            JSONValue.serialize(string: message, into: &line)
            if !metadata.isEmpty {
                line += ",\"metadata\":"
                Self.json(.dictionary(metadata)).serialize(into: &line)
            }
            return line + "}\n"
        }
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

    /// The time in UTC: `2026-11-30T08:42:38+0000` in text, `2026-11-30T08:42:38.123Z` in JSON.
    static func timestamp(_ format: Format) -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let time =
            "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
        return switch format {
        case .text: time + "+0000"
        case .json: time + ".\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
        }
    }
}
