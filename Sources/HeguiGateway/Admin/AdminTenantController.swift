import Foundation
import HTTPTypes
package import HeguiCore
package import HeguiStore
package import Hummingbird
import NIOCore

/// Tenants and their API keys over the admin API (issue 6 item 1). A key is shown once, when it is
/// made; the store keeps its SHA-256 and a hint. Tenants from hegui.yaml are listed but changed
/// only there.
///
/// - `GET    /admin/tenants`, `POST /admin/tenants` (`{"id","name","policy","requests_per_minute",
///   "tokens_per_day","label_placement","label_text"}`; answers with the first key)
/// - `GET    /admin/tenants/{tenant}`, `PATCH /admin/tenants/{tenant}` (`disabled: true` stops its keys)
/// - `GET    /admin/tenants/{tenant}/keys`, `POST /admin/tenants/{tenant}/keys` (`{"label"}`)
/// - `POST   /admin/tenants/{tenant}/keys/{id}/rotate`: a new key; the old one is revoked
/// - `DELETE /admin/tenants/{tenant}/keys/{id}`: revoke
package struct AdminTenantController: Sendable {
    let store: SQLStore
    let directory: TenantDirectory
    let auditLog: AuditLog
    let maximumBodyBytes: Int

    package init(store: SQLStore, directory: TenantDirectory, auditLog: AuditLog, maximumBodyBytes: Int = 1 << 20) {
        self.store = store
        self.directory = directory
        self.auditLog = auditLog
        self.maximumBodyBytes = maximumBodyBytes
    }

    package func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("") { _, _ in
            var list: [JSONValue] = self.directory.configuredTenants.map { tenant in
                [
                    "id": .string(tenant.id), "name": .string(tenant.name), "source": "configuration",
                    "policy": tenant.policy.map(JSONValue.string) ?? .null,
                    "requests_per_minute": tenant.requestsPerMinute.map { .number(String($0)) } ?? .null,
                    "tokens_per_day": tenant.tokensPerDay.map { .number(String($0)) } ?? .null,
                    "label_placement": tenant.chatLabels.map { .string($0.placement.rawValue) } ?? .null,
                    "label_text": tenant.chatLabels.map { .string($0.text) } ?? .null,
                ]
            }
            list += try await self.store.tenants().map(Self.json)
            return Response.json(JSONValue.object(["tenants": .array(list)]).serialized)
        }
        group.post("") { request, context in
            let body = try await UserAPIController.object(request, limit: self.maximumBodyBytes)
            guard let id = body["id"]?.stringValue, Self.isValidID(id) else {
                throw APIError.invalidParameter(
                    "id",
                    expectedZH: "1–64 个字母、数字、- 或 _",
                    expected: "1 to 64 letters, digits, - or _",
                    got: body["id"]?.typeName ?? "nothing"
                )
            }
            guard !self.directory.isConfigured(id) else {
                throw StoreError(.conflict, "tenant '\(id)' is defined in the configuration")
            }
            var tenant = TenantRecord(id: id, name: body["name"]?.stringValue ?? id, createdAt: Self.now())
            try Self.apply(body, to: &tenant)
            try await self.audit(
                "tenant.created",
                tenant: id,
                context: context,
                details: tenant.labelPlacement.map { ["label_placement": $0] } ?? [:]
            )
            try await self.store.createTenant(tenant)
            let (key, record) = try await self.makeKey(tenant: id, label: body["key_label"]?.stringValue)
            guard case .object(var object) = Self.json(tenant) else { throw APIError.internalError() }
            object["key"] = Self.json(record, key: key)
            return Response.json(JSONValue.object(object).serialized, status: .created)
        }
        group.get("{tenant}") { _, context in
            let tenant = try await self.tenant(context)
            return Response.json(Self.json(tenant).serialized)
        }
        group.patch("{tenant}") { request, context in
            var tenant = try await self.tenant(context)
            let body = try await UserAPIController.object(request, limit: self.maximumBodyBytes)
            if let name = body["name"]?.stringValue { tenant.name = name }
            try Self.apply(body, to: &tenant)
            if let disabled = body["disabled"]?.boolValue {
                tenant.disabledAt = disabled ? (tenant.disabledAt ?? Self.now()) : nil
            }
            // A tenant whose own interface shows the label is on record (the duty stays with the provider).
            var details: [String: String] = [:]
            if body["label_placement"] != nil { details["label_placement"] = tenant.labelPlacement ?? "default" }
            try await self.audit("tenant.updated", tenant: tenant.id, context: context, details: details)
            try await self.store.updateTenant(tenant)
            self.directory.invalidate()
            return Response.json(Self.json(tenant).serialized)
        }
        group.get("{tenant}/keys") { _, context in
            let tenant = try await self.tenant(context)
            let keys = try await self.store.apiKeys(tenant: tenant.id)
            return Response.json(JSONValue.object(["keys": .array(keys.map { Self.json($0, key: nil) })]).serialized)
        }
        group.post("{tenant}/keys") { request, context in
            let tenant = try await self.tenant(context)
            let body = try await UserAPIController.object(request, limit: self.maximumBodyBytes, allowEmpty: true)
            try await self.audit("tenant.key_created", tenant: tenant.id, context: context)
            let (key, record) = try await self.makeKey(tenant: tenant.id, label: body["label"]?.stringValue)
            return Response.json(Self.json(record, key: key).serialized, status: .created)
        }
        group.post("{tenant}/keys/{id}/rotate") { _, context in
            let tenant = try await self.tenant(context)
            let id = context.parameters.get("id") ?? ""
            guard let old = try await self.store.apiKeys(tenant: tenant.id).first(where: { $0.id == id }),
                old.revokedAt == nil
            else {
                throw StoreError(.notFound, "tenant '\(tenant.id)' has no key '\(id)' in use")
            }
            try await self.audit("tenant.key_rotated", tenant: tenant.id, context: context, details: ["key": id])
            let (key, record) = try await self.makeKey(tenant: tenant.id, label: old.label)
            try await self.store.revokeAPIKey(id: id, tenant: tenant.id, at: Self.now())
            self.directory.invalidate()
            return Response.json(Self.json(record, key: key).serialized, status: .created)
        }
        group.delete("{tenant}/keys/{id}") { _, context in
            let tenant = try await self.tenant(context)
            let id = context.parameters.get("id") ?? ""
            try await self.audit("tenant.key_revoked", tenant: tenant.id, context: context, details: ["key": id])
            try await self.store.revokeAPIKey(id: id, tenant: tenant.id, at: Self.now())
            self.directory.invalidate()
            return Response.json(#"{"revoked":true}"#)
        }
    }

    // MARK: Helpers

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    package static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2D
                    || byte == 0x5F
            }
    }

    func tenant(_ context: GatewayRequestContext) async throws -> TenantRecord {
        let id = context.parameters.get("tenant") ?? ""
        guard let tenant = try await self.store.tenant(id: id) else {
            if self.directory.isConfigured(id) {
                throw StoreError(.conflict, "tenant '\(id)' is defined in the configuration; change it there")
            }
            throw StoreError(.notFound, "no tenant '\(id)'")
        }
        return tenant
    }

    static func apply(_ body: JSONObject, to tenant: inout TenantRecord) throws {
        func limit(_ key: String) throws -> Int?? {
            guard let value = body[key] else { return nil }
            if case .null = value { return .some(nil) }
            guard let number = value.intValue, number > 0 else {
                throw APIError.invalidParameter(
                    key,
                    expectedZH: "正整数或 null",
                    expected: "a positive integer or null",
                    got: value.typeName
                )
            }
            return .some(number)
        }
        if let value = try limit("requests_per_minute") { tenant.requestsPerMinute = value }
        if let value = try limit("tokens_per_day") { tenant.tokensPerDay = value }
        /// A string member that may be null (back to the default); `valid` checks a present one.
        func optionalText(
            _ key: String,
            expectedZH: String,
            expected: String,
            valid: (String) -> Bool
        ) throws -> String?? {
            guard let value = body[key] else { return nil }
            if case .null = value { return .some(nil) }
            guard let text = value.stringValue, valid(text) else {
                throw APIError.invalidParameter(
                    key,
                    expectedZH: expectedZH,
                    expected: expected,
                    got: value.stringValue ?? value.typeName
                )
            }
            return .some(text)
        }
        if let placement = try optionalText(
            "label_placement",
            expectedZH: "start、end、both、conversation、interface 之一或 null",
            expected: "one of start, end, both, conversation, interface, or null",
            valid: { ChatLabelPolicy.Placement(rawValue: $0) != nil }
        ) {
            tenant.labelPlacement = placement
        }
        if let text = try optionalText(
            "label_text",
            expectedZH: "同时含“人工智能”或“AI”与“生成”或“合成”的提示文字（GB 45438 5.1），或 null",
            expected: "a text naming AI (人工智能 or AI) and generation (生成 or 合成), GB 45438 5.1, or null",
            valid: ChatLabelPolicy.isConforming
        ) {
            tenant.labelText = text
        }
        if let policy = body["policy"] {
            if case .null = policy {
                tenant.policySet = nil
            } else if let name = policy.stringValue {
                tenant.policySet = name
            } else {
                throw APIError.invalidParameter(
                    "policy",
                    expectedZH: "策略名",
                    expected: "a policy name",
                    got: policy.typeName
                )
            }
        }
    }

    func makeKey(tenant: String, label: String?) async throws -> (String, APIKeyRecord) {
        try await Self.makeKey(tenant: tenant, label: label, store: self.store)
    }

    /// Makes, stores and returns a new key (`hg-` and 48 hex digits); the CLI shares it.
    package static func makeKey(tenant: String, label: String?, store: SQLStore) async throws -> (String, APIKeyRecord)
    {
        let key = "hg-" + DevelopmentTenant.makeKey().dropFirst("hg-dev-".count)
        let record = APIKeyRecord(
            id: "key-" + UUID().uuidString.lowercased().prefix(8),
            tenant: tenant,
            keySHA256: APIKeyDigest.hex(of: key),
            hint: String(key.prefix(9)) + "…",
            label: label,
            createdAt: Self.now()
        )
        try await store.addAPIKey(record)
        return (key, record)
    }

    func audit(
        _ type: String,
        tenant: String,
        context: GatewayRequestContext,
        details: [String: String] = [:]
    ) async throws {
        _ = try await self.auditLog.appendOrRefuse(
            AuditEventDraft(
                type: type,
                time: Self.now(),
                tenant: tenant,
                requestID: context.requestID,
                details: details
            ),
            logger: context.logger
        )
    }

    package static func json(_ tenant: TenantRecord) -> JSONValue {
        [
            "id": .string(tenant.id),
            "name": .string(tenant.name),
            "source": "store",
            "policy": tenant.policySet.map(JSONValue.string) ?? .null,
            "requests_per_minute": tenant.requestsPerMinute.map { .number(String($0)) } ?? .null,
            "tokens_per_day": tenant.tokensPerDay.map { .number(String($0)) } ?? .null,
            "label_placement": tenant.labelPlacement.map(JSONValue.string) ?? .null,
            "label_text": tenant.labelText.map(JSONValue.string) ?? .null,
            "created_at": .number(String(tenant.createdAt)),
            "disabled_at": tenant.disabledAt.map { .number(String($0)) } ?? .null,
        ]
    }

    /// A key's record; `key` (the secret) only in the answer that creates it.
    package static func json(_ record: APIKeyRecord, key: String?) -> JSONValue {
        var object: JSONObject = [
            "id": .string(record.id),
            "hint": .string(record.hint),
            "label": record.label.map(JSONValue.string) ?? .null,
            "created_at": .number(String(record.createdAt)),
            "revoked_at": record.revokedAt.map { .number(String($0)) } ?? .null,
        ]
        if let key { object["key"] = .string(key) }
        return .object(object)
    }
}
