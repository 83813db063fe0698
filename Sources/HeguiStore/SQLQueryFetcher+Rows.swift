import NIOConcurrencyHelpers
import SQLKit

extension SQLQueryFetcher {
    /// Every output row: SQLKit's `all()`, with the rows the driver hands over on its own thread
    /// gathered under a lock. `all()` appends to an unguarded variable and relies on the
    /// concurrency runtime's hand-over for ordering, which ThreadSanitizer cannot see.
    @concurrent func rows() async throws -> [any SQLRow] {
        let collected = NIOLockedValueBox<[any SQLRow]>([])
        try await self.run { row in collected.withLockedValue { $0.append(row) } }
        return collected.withLockedValue { $0 }
    }

    /// The first output row, if any (see ``rows()``).
    @concurrent func firstRow() async throws -> (any SQLRow)? {
        let first = NIOLockedValueBox<(any SQLRow)?>(nil)
        try await self.run { row in first.withLockedValue { if $0 == nil { $0 = row } } }
        return first.withLockedValue { $0 }
    }
}
