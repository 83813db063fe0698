import Foundation
import HTTPTypes
import HeguiCore
import HeguiStore
package import Hummingbird
import NIOCore

/// The end-user API (issue 6), twice over: for apps under `/v1/hegui` with their tenant key (a key
/// reaches only its own tenant's users), and for the operator under `/admin/tenants/{tenant}` with
/// the admin token.
///
/// - `GET    …/users/{user}`: attributes.
/// - `PATCH  …/users/{user}`: set attributes (`birth_year`, `age_band`, `minor`,
///   `identity_verified`, `training_consent`, `locale`; `null` clears).
/// - `POST   …/users/{user}/agreement`: record acceptance (`{"version"}`, the current one when absent).
/// - `GET    …/users/{user}/export`: access and copy: everything stored about the user.
/// - `POST   …/users/{user}/correction`: a correction request, handled at once.
/// - `POST   …/users/{user}/training-consent/withdraw`: withdrawal of training consent.
/// - `DELETE …/users/{user}`: deletion.
/// - `GET    …/users/{user}/sanctions`: the user's sanctions with their appeals.
/// - `POST   …/users/{user}/sanctions/{id}/appeal`: appeal (`{"text","contact"}`), linked to the sanction.
/// - `GET    /v1/hegui/agreement`: the current agreement.
///
/// Operator only: sanctions (`POST …/users/{user}/sanctions`, `POST …/sanctions/{id}/lift`,
/// `PATCH …/sanctions/{id}`), rights requests (`POST …/users/{user}/rights-requests`,
/// `GET /admin/rights-requests`, `POST /admin/rights-requests/{id}/complete`), reported users
/// (`GET /admin/sanctions/reported`) and agreements (`POST /admin/agreements`).
package struct UserAPIController: Sendable {
    let users: EndUserService
    let sanctions: SanctionService
    let gate: EndUserGate?
    let directory: TenantDirectory?
    let maximumBodyBytes: Int

    package init(
        users: EndUserService,
        sanctions: SanctionService,
        gate: EndUserGate?,
        directory: TenantDirectory? = nil,
        maximumBodyBytes: Int = 1 << 20
    ) {
        self.users = users
        self.sanctions = sanctions
        self.gate = gate
        self.directory = directory
        self.maximumBodyBytes = maximumBodyBytes
    }

    // MARK: Routes

    /// Routes for apps, on a group mounted at `/v1/hegui` behind tenant authentication.
    package func addTenantRoutes(to group: RouterGroup<GatewayRequestContext>) {
        self.addUserRoutes(to: group.group("users")) { _, context in
            guard let tenant = context.tenant?.id else { throw APIError.invalidAPIKey() }
            return tenant
        }
        group.get("agreement") { _, _ in
            guard let agreement = try await self.users.store.currentAgreement() else { throw APIError.notFound() }
            return Response.json(Self.json(agreement).serialized)
        }
    }

    /// Routes for the operator, on the admin group.
    package func addAdminRoutes(to group: RouterGroup<GatewayRequestContext>) {
        let tenantGroup = group.group("tenants/{tenant}")
        // The operator names the tenant; it must exist (in the configuration or the store).
        let tenantOf = { @Sendable (_: Request, context: GatewayRequestContext) async throws -> String in
            guard let tenant = context.parameters.get("tenant"), !tenant.isEmpty else {
                throw APIError.missingParameter("tenant")
            }
            if self.directory?.isConfigured(tenant) == true { return tenant }
            guard try await self.users.store.tenant(id: tenant) != nil else {
                throw StoreError(.notFound, "no tenant '\(tenant)'")
            }
            return tenant
        }
        self.addUserRoutes(to: tenantGroup.group("users"), tenant: tenantOf)
        tenantGroup.post("users/{user}/sanctions") { request, context in
            let tenant = try await tenantOf(request, context)
            let user = try Self.user(context)
            let body = try await self.object(request)
            guard let levelText = body["level"]?.stringValue, let level = SanctionLevel(rawValue: levelText) else {
                throw APIError.invalidParameter(
                    "level",
                    expectedZH: "warning、restriction、suspension 或 termination",
                    expected: "warning, restriction, suspension or termination",
                    got: body["level"]?.typeName ?? "nothing"
                )
            }
            guard let reason = body["reason"]?.stringValue, !reason.isEmpty, reason.count <= 2_000 else {
                throw APIError.missingParameter("reason")
            }
            let hours = body["hours"]?.intValue
            if body["hours"] != nil, hours == nil || hours! < 1 {
                throw APIError.invalidParameter(
                    "hours",
                    expectedZH: "正整数",
                    expected: "a positive integer",
                    got: body["hours"]!.typeName
                )
            }
            let time = self.users.now()
            let sanction = try await self.sanctions.impose(
                tenant: tenant,
                pseudonym: self.users.pseudonym(tenant: tenant, user: user),
                level: level,
                reason: reason,
                expiresAt: level == .termination ? nil : hours.map { time + Int64($0) * 3_600_000 },
                by: "admin",
                evidence: [],
                note: body["note"]?.stringValue,
                at: time
            )
            return Response.json(EndUserService.json(sanction).serialized, status: .created)
        }
        tenantGroup.post("sanctions/{id}/lift") { request, context in
            let tenant = try await tenantOf(request, context)
            let body = try await self.object(request)
            guard let reason = body["reason"]?.stringValue, !reason.isEmpty else {
                throw APIError.missingParameter("reason")
            }
            let sanction = try await self.sanctions.lift(
                id: context.parameters.get("id") ?? "",
                tenant: tenant,
                reason: reason,
                at: self.users.now()
            )
            return Response.json(EndUserService.json(sanction).serialized)
        }
        tenantGroup.patch("sanctions/{id}") { request, context in
            let tenant = try await tenantOf(request, context)
            let body = try await self.object(request)
            let note = body["note"]?.stringValue
            let reported = body["reported"]?.boolValue ?? false
            guard note != nil || reported else { throw APIError.missingParameter("note") }
            let sanction = try await self.sanctions.update(
                id: context.parameters.get("id") ?? "",
                tenant: tenant,
                note: note,
                reported: reported,
                at: self.users.now()
            )
            return Response.json(EndUserService.json(sanction).serialized)
        }
        tenantGroup.post("users/{user}/rights-requests") { request, context in
            let tenant = try await tenantOf(request, context)
            let body = try await self.object(request)
            guard let kindText = body["kind"]?.stringValue, let kind = RightsRequestRecord.Kind(rawValue: kindText)
            else {
                throw APIError.invalidParameter(
                    "kind",
                    expectedZH: "access、correction、deletion 或 consent_withdrawal",
                    expected: "access, correction, deletion or consent_withdrawal",
                    got: body["kind"]?.typeName ?? "nothing"
                )
            }
            let opened = try await self.users.open(
                kind,
                tenant: tenant,
                pseudonym: self.users.pseudonym(tenant: tenant, user: try Self.user(context))
            )
            return Response.json(EndUserService.json(opened).serialized, status: .created)
        }
        group.get("rights-requests") { request, _ in
            let openOnly = request.uri.queryParameters["open"].map { $0 != "false" } ?? true
            let tenant = request.uri.queryParameters["tenant"].map(String.init)
            let list = try await self.users.store.rightsRequests(tenant: tenant, pseudonym: nil, openOnly: openOnly)
            let now = self.users.now()
            return Response.json(
                JSONValue.object([
                    "rights_requests": .array(
                        list.map { record in
                            guard case .object(var object) = EndUserService.json(record) else { return .null }
                            object["tenant"] = .string(record.tenant)
                            object["overdue"] = .bool(record.completedAt == nil && record.dueAt < now)
                            return .object(object)
                        }
                    )
                ]).serialized
            )
        }
        group.post("rights-requests/{id}/complete") { request, context in
            let body = try await self.object(request)
            guard let outcome = body["outcome"]?.stringValue, !outcome.isEmpty else {
                throw APIError.missingParameter("outcome")
            }
            try await self.users.store.completeRightsRequest(
                id: context.parameters.get("id") ?? "",
                at: self.users.now(),
                outcome: outcome
            )
            return Response.json(#"{"completed":true}"#)
        }
        group.get("sanctions/reported") { request, _ in
            let tenant = request.uri.queryParameters["tenant"].map(String.init)
            let list = try await self.users.store.reportedSanctions(tenant: tenant)
            return Response.json(
                JSONValue.object([
                    "reported": .array(
                        list.map { sanction in
                            guard case .object(var object) = EndUserService.json(sanction) else { return .null }
                            object["tenant"] = .string(sanction.tenant)
                            object["pseudonym"] = .string(sanction.pseudonym)
                            return .object(object)
                        }
                    )
                ]).serialized
            )
        }
        group.post("agreements") { request, _ in
            let body = try await self.object(request)
            guard let versionText = body["version"]?.stringValue, let version = AgreementVersion(versionText) else {
                throw APIError.invalidParameter(
                    "version",
                    expectedZH: "版本号，如 2 或 2.1",
                    expected: "a version such as 2 or 2.1",
                    got: body["version"]?.typeName ?? "nothing"
                )
            }
            guard let zh = body["text_zh"]?.stringValue, !zh.isEmpty else { throw APIError.missingParameter("text_zh") }
            guard let en = body["text_en"]?.stringValue, !en.isEmpty else { throw APIError.missingParameter("text_en") }
            if let current = try await self.users.store.currentAgreement(),
                let currentVersion = AgreementVersion(current.version),
                version <= currentVersion
            {
                throw APIError(
                    status: 409,
                    type: "invalid_request_error",
                    code: .conflict,
                    param: "version",
                    zh: "新版本号必须大于当前版本 \(current.version)",
                    en: "The new version must be greater than the current \(current.version)"
                )
            }
            let record = AgreementRecord(
                version: versionText,
                major: version.major,
                publishedAt: self.users.now(),
                textZH: zh,
                textEN: en
            )
            _ = try await self.users.auditLog?.append(
                AuditEventDraft(
                    type: "agreement.published",
                    time: record.publishedAt,
                    details: ["version": versionText, "text_sha256": APIKeyDigest.hex(of: zh + "\n\u{1F}\n" + en)]
                )
            )
            try await self.users.store.publishAgreement(record)
            self.gate?.agreementChanged()
            return Response.json(Self.json(record).serialized, status: .created)
        }
    }

    /// The routes both audiences share, on a group mounted at `…/users`.
    private func addUserRoutes(
        to group: RouterGroup<GatewayRequestContext>,
        tenant: @escaping @Sendable (Request, GatewayRequestContext) async throws -> String
    ) {
        group.get("{user}") { request, context in
            let record = try await self.users.record(
                tenant: try await tenant(request, context),
                user: try Self.user(context)
            )
            return Response.json(self.users.json(record).serialized)
        }
        /// Sets attributes from the body; a correction request (OPS-8) when `asCorrection`.
        let update = { @Sendable (request: Request, context: GatewayRequestContext, asCorrection: Bool) in
            let attributes = try EndUserService.Attributes(
                json: try await self.object(request),
                bands: self.users.users.minors.bands.map(\.name)
            )
            let record = try await self.users.update(
                tenant: try await tenant(request, context),
                user: try Self.user(context),
                attributes,
                asCorrection: asCorrection
            )
            return Response.json(self.users.json(record).serialized)
        }
        group.patch("{user}") { request, context in try await update(request, context, false) }
        group.post("{user}/correction") { request, context in try await update(request, context, true) }
        group.post("{user}/agreement") { request, context in
            let body = try await self.object(request, allowEmpty: true)
            if let version = body["version"], version.stringValue == nil {
                throw APIError.invalidParameter(
                    "version",
                    expectedZH: "字符串",
                    expected: "a string",
                    got: version.typeName
                )
            }
            let acceptance = try await self.users.accept(
                tenant: try await tenant(request, context),
                user: try Self.user(context),
                version: body["version"]?.stringValue,
                // The user's address as the app saw it (the gateway sees only the app's), hashed.
                clientAddress: body["client_ip"]?.stringValue
            )
            return Response.json(EndUserService.json(acceptance).serialized, status: .created)
        }
        group.get("{user}/export") { request, context in
            let export = try await self.users.export(
                tenant: try await tenant(request, context),
                user: try Self.user(context)
            )
            return Response.json(export.serialized)
        }
        group.post("{user}/training-consent/withdraw") { request, context in
            let record = try await self.users.withdrawTrainingConsent(
                tenant: try await tenant(request, context),
                user: try Self.user(context)
            )
            return Response.json(self.users.json(record).serialized)
        }
        group.get("{user}/sanctions") { request, context in
            let list = try await self.users.sanctions(
                tenant: try await tenant(request, context),
                user: try Self.user(context)
            )
            return Response.json(list.serialized)
        }
        group.post("{user}/sanctions/{id}/appeal") { request, context in
            let body = try await self.object(request)
            guard let text = body["text"]?.stringValue, !text.isEmpty, text.count <= 5_000 else {
                throw APIError.invalidParameter(
                    "text",
                    expectedZH: "申诉理由（1–5000 字）",
                    expected: "the grounds of the appeal (1 to 5,000 characters)",
                    got: body["text"]?.typeName ?? "nothing"
                )
            }
            let appeal = try await self.users.appeal(
                tenant: try await tenant(request, context),
                user: try Self.user(context),
                sanction: context.parameters.get("id") ?? "",
                text: text,
                contact: body["contact"]?.stringValue
            )
            return Response.json(EndUserService.json(appeal).serialized, status: .created)
        }
        group.delete("{user}") { request, context in
            let result = try await self.users.delete(
                tenant: try await tenant(request, context),
                user: try Self.user(context)
            )
            return Response.json(
                JSONValue.object([
                    "deleted": true,
                    "evidence_erased": .number(String(result.evidenceErased)),
                    "mappings_forgotten": .number(String(result.mappingsForgotten)),
                ]).serialized
            )
        }
    }

    // MARK: Helpers

    /// The `{user}` path segment, percent-decoded and checked like a request's `user`.
    static func user(_ context: GatewayRequestContext) throws -> String {
        let raw = context.parameters.get("user") ?? ""
        let decoded = raw.removingPercentEncoding ?? raw
        guard let user = try EndUserID.resolve(bodyUser: decoded, header: nil) else {
            throw APIError.missingParameter("user")
        }
        return user
    }

    /// The request body as a JSON object.
    func object(_ request: Request, allowEmpty: Bool = false) async throws -> JSONObject {
        try await Self.object(request, limit: self.maximumBodyBytes, allowEmpty: allowEmpty)
    }

    /// The request body as a JSON object.
    static func object(_ request: Request, limit: Int, allowEmpty: Bool = false) async throws -> JSONObject {
        try await Request.jsonObject(request, limit: limit, allowEmpty: allowEmpty)
    }

    static func json(_ agreement: AgreementRecord) -> JSONValue {
        [
            "version": .string(agreement.version),
            "major": .number(String(agreement.major)),
            "published_at": .number(String(agreement.publishedAt)),
            "text_zh": .string(agreement.textZH),
            "text_en": .string(agreement.textEN),
        ]
    }
}
