/// A configuration value that cannot be used, with where it came from.
///
/// The description reads like a compiler diagnostic: `hegui.yaml:12:9: server.port: must be …`,
/// or `HEGUI_PORT: must be …` for the environment. Secret values never appear in it.
package struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The file, environment variable or flag the value came from.
    package var source: String
    /// The line in the file, when known.
    package var line: Int?
    /// The column in the file, when known.
    package var column: Int?
    /// The dotted key (`upstream.url`), when the fault belongs to one.
    package var key: String?
    /// What is wrong.
    package var message: String

    package init(source: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.source = source
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    package var description: String {
        var location = self.source
        if let line = self.line {
            location += ":\(line)"
            if let column = self.column { location += ":\(column)" }
        }
        if let key = self.key {
            return "\(location): \(key): \(self.message)"
        }
        return "\(location): \(self.message)"
    }
}
