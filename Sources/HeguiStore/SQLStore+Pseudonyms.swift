import HeguiCore
import SQLKit

extension SQLStore {
    /// Remembers which end user a pseudonym stands for, so that a user-rights request (access,
    /// deletion) can find the user's records (IM-11, OPS-8). Idempotent.
    package func rememberPseudonym(_ pseudonym: String, tenant: String, user: String, time: Int64) async throws {
        do {
            try await self.serialized { database in
                try await database.raw(
                    """
                    INSERT INTO user_pseudonyms (pseudonym, tenant, user_id, created_at)
                    VALUES (\(bind: pseudonym), \(bind: tenant), \(bind: user), \(bind: time))
                    ON CONFLICT (pseudonym) DO NOTHING
                    """
                ).run()
            }
        } catch {
            throw StoreError(.unavailable, "cannot record a pseudonym", cause: error)
        }
    }

    /// The pseudonyms recorded for a tenant's end user.
    package func pseudonyms(tenant: String, user: String) async throws -> [String] {
        do {
            return try await self.serialized { database in
                try await database.raw(
                    "SELECT pseudonym FROM user_pseudonyms WHERE tenant = \(bind: tenant) AND user_id = \(bind: user)"
                ).rows()
            }.map { try $0.decode(column: "pseudonym", as: String.self) }
        } catch {
            throw StoreError(.unavailable, "cannot read pseudonyms", cause: error)
        }
    }

    /// Forgets which end user the pseudonyms stood for (a deletion request): the audit log keeps
    /// its events, which can no longer be linked to the person. Returns how many were forgotten.
    package func forgetUser(tenant: String, user: String) async throws -> Int {
        let count = try await self.pseudonyms(tenant: tenant, user: user).count
        do {
            try await self.serialized { database in
                try await database.raw(
                    "DELETE FROM user_pseudonyms WHERE tenant = \(bind: tenant) AND user_id = \(bind: user)"
                ).run()
            }
        } catch {
            throw StoreError(.unavailable, "cannot forget a user", cause: error)
        }
        return count
    }
}

/// The deployment's pseudonymisation key, kept in the data directory (mode 0600) and created on
/// first start.
package enum PseudonymKey {
    package static let fileName = "pseudonym-key"

    /// The key in the data directory, created when absent.
    /// - Throws: ``StoreError`` (`invalid`) when the file does not hold a key.
    package static func loadOrCreate(in directory: DataDirectory) throws -> [UInt8] {
        if let text = try directory.readText(Self.fileName) {
            let trimmed = text.filter { !$0.isWhitespace }
            guard let key = HexEncoding.decode(trimmed), key.count >= 32 else {
                throw StoreError(
                    .invalid,
                    "\(directory.filePath(Self.fileName)) does not hold a hex key of 32 bytes or more"
                )
            }
            return key
        }
        let key = UserPseudonym.makeKey()
        try directory.createSecretFile(Self.fileName, contents: HexEncoding.encode(key) + "\n")
        return key
    }
}
