import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway
import HeguiStore

/// `hegui tenant`: the provider's apps and their API keys, from the command line (issue 6 item 1).
/// Works on the store directly (the data directory, or `HEGUI_STORE_URL`); a running gateway sees
/// the change within `users.state_cache_ms`. Every change is an audit event.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Create, list and change tenants; create, rotate and revoke their API keys.",
        subcommands: [List.self, Create.self, Update.self, Keys.self, CreateKey.self, RotateKey.self, RevokeKey.self]
    )

    static func audit(_ log: AuditLog, _ type: String, tenant: String, details: [String: String] = [:]) async throws {
        _ = try await log.append(
            AuditEventDraft(
                type: type,
                time: Int64(Date().timeIntervalSince1970 * 1000),
                tenant: tenant,
                details: details.merging(["by": "cli"]) { first, _ in first }
            )
        )
    }

    static func printJSON(_ value: JSONValue) { print(value.serialized) }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenants kept in the store.")
        @OptionGroup var location: AuditCommand.Location

        func run() async throws {
            let tenants = try await self.location.withLog("tenant list") { store, _ in try await store.tenants() }
            for tenant in tenants {
                TenantCommand.printJSON(AdminTenantController.json(tenant))
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a tenant and its first API key (printed once)."
        )
        @OptionGroup var location: AuditCommand.Location
        @Argument(help: "Tenant id: 1–64 letters, digits, - or _.") var id: String
        @Option(help: "Display name.") var name: String?
        @Option(help: "Moderation policy for its traffic.") var policy: String?
        @Option(name: .customLong("requests-per-minute"), help: "Rate limit over all its users.")
        var requestsPerMinute: Int?
        @Option(name: .customLong("tokens-per-day"), help: "Token budget per day (Beijing time).")
        var tokensPerDay: Int?

        func validate() throws {
            guard AdminTenantController.isValidID(self.id) else {
                throw ValidationError("tenant id must be 1–64 letters, digits, - or _")
            }
            if let value = self.requestsPerMinute, value < 1 {
                throw ValidationError("--requests-per-minute must be positive")
            }
            if let value = self.tokensPerDay, value < 1 { throw ValidationError("--tokens-per-day must be positive") }
        }

        func run() async throws {
            let key = try await self.location.withLog("tenant create") { store, log in
                let tenant = TenantRecord(
                    id: self.id,
                    name: self.name ?? self.id,
                    policySet: self.policy,
                    requestsPerMinute: self.requestsPerMinute,
                    tokensPerDay: self.tokensPerDay,
                    createdAt: Int64(Date().timeIntervalSince1970 * 1000)
                )
                try await TenantCommand.audit(log, "tenant.created", tenant: self.id)
                try await store.createTenant(tenant)
                return try await AdminTenantController.makeKey(tenant: self.id, label: nil, store: store)
            }
            print("Created tenant \(self.id). Its API key (shown once) / 租户密钥（仅显示一次）：\n\n    \(key.0)\n")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a tenant's limits, policy, or disable it.")
        @OptionGroup var location: AuditCommand.Location
        @Argument var id: String
        @Option var name: String?
        @Option var policy: String?
        @Option(name: .customLong("requests-per-minute"), help: "0 removes the limit.") var requestsPerMinute: Int?
        @Option(name: .customLong("tokens-per-day"), help: "0 removes the budget.") var tokensPerDay: Int?
        @Flag(help: "Disable the tenant: its keys stop working.") var disable = false
        @Flag(help: "Enable a disabled tenant.") var enable = false
        @Option(
            name: .customLong("label-placement"),
            help:
                "Where its chat answers carry the explicit label: start, end, both, conversation, interface; empty for the gateway's."
        )
        var labelPlacement: String?
        @Option(
            name: .customLong("label-text"),
            help: "The explicit label's text (names AI and generation); empty for the gateway's."
        )
        var labelText: String?

        func validate() throws {
            if let placement = self.labelPlacement, !placement.isEmpty,
                ChatLabelPolicy.Placement(rawValue: placement) == nil
            {
                throw ValidationError("--label-placement takes start, end, both, conversation or interface")
            }
            if let text = self.labelText, !text.isEmpty, !ChatLabelPolicy.isConforming(text) {
                throw ValidationError("--label-text must name AI (人工智能 or AI) and generation (生成 or 合成), GB 45438 5.1")
            }
        }

        func run() async throws {
            let tenant = try await self.location.withLog("tenant update") { store, log -> TenantRecord in
                guard var tenant = try await store.tenant(id: self.id) else {
                    throw StoreError(.notFound, "no tenant '\(self.id)'")
                }
                if let name = self.name { tenant.name = name }
                if let policy = self.policy { tenant.policySet = policy.isEmpty ? nil : policy }
                if let value = self.requestsPerMinute { tenant.requestsPerMinute = value > 0 ? value : nil }
                if let value = self.tokensPerDay { tenant.tokensPerDay = value > 0 ? value : nil }
                if self.disable { tenant.disabledAt = tenant.disabledAt ?? Int64(Date().timeIntervalSince1970 * 1000) }
                if self.enable { tenant.disabledAt = nil }
                if let placement = self.labelPlacement { tenant.labelPlacement = placement.isEmpty ? nil : placement }
                if let text = self.labelText { tenant.labelText = text.isEmpty ? nil : text }
                try await TenantCommand.audit(log, "tenant.updated", tenant: self.id)
                try await store.updateTenant(tenant)
                return tenant
            }
            TenantCommand.printJSON(AdminTenantController.json(tenant))
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keys",
            abstract: "List a tenant's keys (hints only)."
        )
        @OptionGroup var location: AuditCommand.Location
        @Argument var tenant: String

        func run() async throws {
            let keys = try await self.location.withLog("tenant keys") { store, _ in
                try await store.apiKeys(tenant: self.tenant)
            }
            for key in keys { TenantCommand.printJSON(AdminTenantController.json(key, key: nil)) }
        }
    }

    struct CreateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-key",
            abstract: "Add an API key (printed once)."
        )
        @OptionGroup var location: AuditCommand.Location
        @Argument var tenant: String
        @Option var label: String?

        func run() async throws {
            let key = try await self.location.withLog("tenant create-key") { store, log in
                try await TenantCommand.audit(log, "tenant.key_created", tenant: self.tenant)
                return try await AdminTenantController.makeKey(tenant: self.tenant, label: self.label, store: store)
            }
            print("\(key.1.id): \(key.0)")
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Replace a key: a new one is printed once and the old one revoked."
        )
        @OptionGroup var location: AuditCommand.Location
        @Argument var tenant: String
        @Argument(help: "The key's id (hegui tenant keys).") var key: String

        func run() async throws {
            let created = try await self.location.withLog("tenant rotate-key") { store, log in
                guard let old = try await store.apiKeys(tenant: self.tenant).first(where: { $0.id == self.key }),
                    old.revokedAt == nil
                else { throw StoreError(.notFound, "tenant '\(self.tenant)' has no key '\(self.key)' in use") }
                try await TenantCommand.audit(
                    log,
                    "tenant.key_rotated",
                    tenant: self.tenant,
                    details: ["key": self.key]
                )
                let created = try await AdminTenantController.makeKey(
                    tenant: self.tenant,
                    label: old.label,
                    store: store
                )
                try await store.revokeAPIKey(
                    id: self.key,
                    tenant: self.tenant,
                    at: Int64(Date().timeIntervalSince1970 * 1000)
                )
                return created
            }
            print("\(created.1.id): \(created.0)")
        }
    }

    struct RevokeKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke-key", abstract: "Revoke a key.")
        @OptionGroup var location: AuditCommand.Location
        @Argument var tenant: String
        @Argument var key: String

        func run() async throws {
            try await self.location.withLog("tenant revoke-key") { store, log in
                try await TenantCommand.audit(
                    log,
                    "tenant.key_revoked",
                    tenant: self.tenant,
                    details: ["key": self.key]
                )
                try await store.revokeAPIKey(
                    id: self.key,
                    tenant: self.tenant,
                    at: Int64(Date().timeIntervalSince1970 * 1000)
                )
            }
            print("revoked \(self.key)")
        }
    }
}
