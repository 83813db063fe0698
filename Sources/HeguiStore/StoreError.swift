/// A store operation that failed. The description never holds SQL, parameters or content; the
/// underlying error is kept in ``cause`` for logs at debug level.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unavailable, closed, migration, corrupt, invalid, notFound, conflict
        }

        private let base: Base

        /// The database cannot be opened or reached.
        package static let unavailable = Code(base: .unavailable)
        /// The store was closed (the process is stopping); nothing more reaches the database.
        package static let closed = Code(base: .closed)
        /// A migration failed; the schema is left at the last version that applied.
        package static let migration = Code(base: .migration)
        /// Stored data does not have the shape the schema promises.
        package static let corrupt = Code(base: .corrupt)
        /// The caller asked for something the store cannot do.
        package static let invalid = Code(base: .invalid)
        /// What the caller named does not exist.
        package static let notFound = Code(base: .notFound)
        /// What the caller would create exists already, or changed under it.
        package static let conflict = Code(base: .conflict)

        package var description: String { self.base.rawValue }
    }

    package var code: Code
    package var message: String
    package var cause: (any Error)?

    /// - Parameter cause: the underlying error; a store that was closed under an operation stays
    ///   `closed` through the operation's own error (callers tell shutdown from an outage by it).
    package init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = (cause as? StoreError)?.code == .closed ? .closed : code
        self.message = message
        self.cause = cause
    }

    package var description: String { "store \(self.code): \(self.message)" }
}
