import Foundation
package import HeguiCore
package import HeguiStore
package import Logging

/// What an app (with its tenant key) and the operator (with the admin token or the CLI) can do
/// about one end user: attributes (IM-10, OPS-2, TC-7.3), acceptance of the agreement (IM-9), and
/// the personal-information rights of IM-11.5 / OPS-8 — access and copy, correction, deletion and
/// withdrawal of training consent — each tracked as a request with its deadline and audited.
///
/// Users are addressed by the app's own id; the store knows them only by pseudonym (IM-11).
package final class EndUserService: Sendable {
    let store: SQLStore
    let auditLog: AuditLog?
    package let users: GatewayConfiguration.Users
    let cache: UserStateCache
    let ledger: UsageLedger?
    let pseudonymKey: [UInt8]
    let logger: Logger
    let now: @Sendable () -> Int64

    package init(
        store: SQLStore,
        auditLog: AuditLog?,
        users: GatewayConfiguration.Users,
        cache: UserStateCache,
        ledger: UsageLedger? = nil,
        pseudonymKey: [UInt8],
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.store = store
        self.auditLog = auditLog
        self.users = users
        self.cache = cache
        self.ledger = ledger
        self.pseudonymKey = pseudonymKey
        self.logger = logger
        self.now = now
    }

    package func pseudonym(tenant: String, user: String) -> String {
        UserPseudonym.make(tenant: tenant, user: user, key: self.pseudonymKey)
    }

    /// Appends an audit event, refusing the operation when it cannot be recorded.
    @discardableResult
    func audit(
        _ type: String,
        tenant: String,
        pseudonym: String,
        details: [String: String] = [:]
    ) async throws
        -> AuditEvent?
    {
        try await self.auditLog?.appendOrRefuse(
            AuditEventDraft(type: type, time: self.now(), tenant: tenant, user: pseudonym, details: details),
            logger: self.logger
        )
    }

    // MARK: Attributes

    /// The attributes an app may set.
    package struct Attributes: Sendable {
        package var birthYear: Int??
        package var ageBand: String??
        package var isMinor: Bool??
        package var identityVerified: Bool?
        package var trainingConsent: Bool??
        package var locale: String??

        package init() {}

        /// Reads `{"birth_year","age_band","minor","identity_verified","training_consent","locale"}`;
        /// `null` clears a value.
        /// - Throws: ``APIError`` naming the member at fault.
        package init(json object: JSONObject, bands: [String]) throws {
            let allowed: Set<String> = [
                "birth_year", "age_band", "minor", "identity_verified", "training_consent", "locale",
            ]
            for member in object.members where !allowed.contains(member.key) {
                throw APIError.invalidParameter(
                    member.key,
                    expectedZH: "以下字段之一：\(allowed.sorted().joined(separator: ", "))",
                    expected: "one of \(allowed.sorted().joined(separator: ", "))",
                    got: "'\(member.key.prefix(40))'"
                )
            }
            func optional<T>(_ key: String, _ read: (JSONValue) -> T?, _ zh: String, _ en: String) throws -> T?? {
                guard let value = object[key] else { return nil }
                if case .null = value { return .some(nil) }
                guard let read = read(value) else {
                    throw APIError.invalidParameter(key, expectedZH: zh, expected: en, got: value.typeName)
                }
                return .some(read)
            }
            self.birthYear = try optional(
                "birth_year",
                { $0.intValue.flatMap { (1900...2200).contains($0) ? $0 : nil } },
                "出生年份（整数）",
                "a birth year"
            )
            self.ageBand = try optional(
                "age_band",
                { value in value.stringValue.flatMap { bands.contains($0) || $0 == "adult" ? $0 : nil } },
                "年龄段：\(bands.joined(separator: "、"))、adult",
                "an age band: \(bands.joined(separator: ", ")), adult"
            )
            self.isMinor = try optional("minor", \.boolValue, "布尔值", "a Boolean")
            if let verified = object["identity_verified"] {
                guard let value = verified.boolValue else {
                    throw APIError.invalidParameter(
                        "identity_verified",
                        expectedZH: "布尔值",
                        expected: "a Boolean",
                        got: verified.typeName
                    )
                }
                self.identityVerified = value
            }
            self.trainingConsent = try optional("training_consent", \.boolValue, "布尔值", "a Boolean")
            self.locale = try optional(
                "locale",
                {
                    $0.stringValue.flatMap {
                        $0.count <= 35
                            && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
                            ? $0 : nil
                    }
                },
                "语言标签（如 zh-CN）",
                "a language tag such as zh-CN"
            )
        }
    }

    /// The user's record, created on first sight.
    package func record(tenant: String, user: String) async throws -> EndUserRecord {
        try await self.store.recordEndUser(
            tenant: tenant,
            pseudonym: self.pseudonym(tenant: tenant, user: user),
            time: self.now()
        )
    }

    /// Sets attributes (a correction under OPS-8 when `asCorrection`); audited with the names of
    /// the attributes changed, never their values.
    package func update(
        tenant: String,
        user: String,
        _ attributes: Attributes,
        asCorrection: Bool = false
    ) async throws
        -> EndUserRecord
    {
        let pseudonym = self.pseudonym(tenant: tenant, user: user)
        var record = try await self.record(tenant: tenant, user: user)
        var changed: [String] = []
        func set<Value>(_ value: Value?, _ path: WritableKeyPath<EndUserRecord, Value>, _ name: String) {
            guard let value else { return }
            record[keyPath: path] = value
            changed.append(name)
        }
        set(attributes.birthYear, \.birthYear, "birth_year")
        set(attributes.ageBand, \.ageBand, "age_band")
        set(attributes.isMinor, \.isMinor, "minor")
        set(attributes.identityVerified, \.identityVerified, "identity_verified")
        set(attributes.trainingConsent, \.trainingConsent, "training_consent")
        set(attributes.locale, \.locale, "locale")
        guard !changed.isEmpty else { return record }
        record.updatedAt = self.now()
        if asCorrection {
            try await self.completeRequest(
                .correction,
                tenant: tenant,
                pseudonym: pseudonym,
                outcome: "corrected: \(changed.joined(separator: ","))"
            )
        }
        try await self.audit(
            "user.updated",
            tenant: tenant,
            pseudonym: pseudonym,
            details: ["attributes": changed.joined(separator: ",")]
        )
        try await self.store.updateEndUser(record)
        self.cache.invalidate(tenant: tenant, pseudonym: pseudonym)
        return record
    }

    /// Withdraws consent to training use (TC-7.3): from now on the user's inputs are left out of
    /// training-data exports.
    package func withdrawTrainingConsent(tenant: String, user: String) async throws -> EndUserRecord {
        var attributes = Attributes()
        attributes.trainingConsent = .some(false)
        let pseudonym = self.pseudonym(tenant: tenant, user: user)
        try await self.completeRequest(
            .consentWithdrawal,
            tenant: tenant,
            pseudonym: pseudonym,
            outcome: "training consent withdrawn"
        )
        return try await self.update(tenant: tenant, user: user, attributes)
    }

    /// Whether the user's inputs may be used for training (their consent, or the configured default).
    package func consentsToTraining(_ record: EndUserRecord) -> Bool {
        record.trainingConsent ?? self.users.trainingConsentDefault
    }

    // MARK: Agreement (IM-9)

    /// Records the user's acceptance of `version` (the current one when `nil`).
    /// - Throws: ``APIError`` `not_found` for an unpublished version.
    package func accept(
        tenant: String,
        user: String,
        version: String?,
        clientAddress: String?
    ) async throws
        -> AcceptanceRecord
    {
        let pseudonym = self.pseudonym(tenant: tenant, user: user)
        let agreement: AgreementRecord?
        if let version {
            agreement = try await self.store.agreement(version: version)
        } else {
            agreement = try await self.store.currentAgreement()
        }
        guard let agreement else {
            throw APIError(
                status: 404,
                type: "invalid_request_error",
                code: .notFound,
                param: "version",
                zh: "没有该版本的服务协议",
                en: "No service agreement of that version is published"
            )
        }
        _ = try await self.record(tenant: tenant, user: user)
        let time = self.now()
        let acceptance = AcceptanceRecord(
            tenant: tenant,
            pseudonym: pseudonym,
            version: agreement.version,
            acceptedAt: time,
            ipSHA256: clientAddress.map { ContentDigest.hex(of: $0, key: self.pseudonymKey) }
        )
        try await self.audit(
            "agreement.accepted",
            tenant: tenant,
            pseudonym: pseudonym,
            details: ["version": agreement.version]
        )
        try await self.store.recordAcceptance(acceptance)
        self.cache.invalidate(tenant: tenant, pseudonym: pseudonym)
        return try await self.store.acceptances(tenant: tenant, pseudonym: pseudonym)
            .first(where: { $0.version == agreement.version }) ?? acceptance
    }

    // MARK: Access and copy

    /// Everything stored about the user (OPS-8 access and copy): attributes, acceptances,
    /// sanctions, violations, usage, rights requests and the audit events that name them, with any
    /// evidence kept. Nothing of any other user.
    package func export(tenant: String, user: String) async throws -> JSONValue {
        let pseudonym = self.pseudonym(tenant: tenant, user: user)
        await self.ledger?.flush()
        try await self.completeRequest(.access, tenant: tenant, pseudonym: pseudonym, outcome: "exported")
        try await self.audit("user.exported", tenant: tenant, pseudonym: pseudonym)
        let record = try await self.store.endUser(tenant: tenant, pseudonym: pseudonym)
        let acceptances = try await self.store.acceptances(tenant: tenant, pseudonym: pseudonym)
        let violations = try await self.store.violations(tenant: tenant, pseudonym: pseudonym)
        let requests = try await self.store.rightsRequests(tenant: tenant, pseudonym: pseudonym, openOnly: false)
        let events = try await self.store.auditEvents(tenant: tenant, user: pseudonym, limit: 10_000)
        var usage: [JSONValue] = []
        if let record {
            let zone = self.users.minors.zone
            let first = zone.day(of: record.firstSeen)
            let last = zone.day(of: self.now())
            if last - first <= 400 {
                for day in first...last {
                    let used = try await self.store.usage(tenant: tenant, pseudonym: pseudonym, day: day)
                    if used != UsageRecord() {
                        usage.append(
                            [
                                "date": .string(CivilDate(daysSince1970: day).description),
                                "requests": .number(String(used.requests)),
                                "prompt_tokens": .number(String(used.promptTokens)),
                                "completion_tokens": .number(String(used.completionTokens)),
                                "active_seconds": .number(String(used.activeSeconds)),
                            ]
                        )
                    }
                }
            }
        }
        var evidence: [JSONValue] = []
        for (event, hasEvidence) in events where hasEvidence {
            if let text = try await self.store.evidence(sequence: event.sequence) {
                evidence.append(["sequence": .number(String(event.sequence)), "content": .string(text)])
            }
        }
        return [
            "object": "hegui.user_export",
            "tenant": .string(tenant),
            "user": .string(user),
            "pseudonym": .string(pseudonym),
            "exported_at": .number(String(self.now())),
            "attributes": record.map { self.json($0) } ?? .null,
            "training_consent_effective": record.map { .bool(self.consentsToTraining($0)) }
                ?? .bool(self.users.trainingConsentDefault),
            "agreement_acceptances": .array(acceptances.map(Self.json)),
            "sanctions": try await self.sanctions(tenant: tenant, user: user).objectValue?["sanctions"] ?? .array([]),
            "violations": .array(violations.map(Self.json)),
            "usage": .array(usage),
            "rights_requests": .array(requests.map(Self.json)),
            "audit_events": .array(
                events.map { event, hasEvidence in
                    [
                        "sequence": .number(String(event.sequence)),
                        "type": .string(event.type),
                        "time": .number(String(event.time)),
                        "action": event.action.map { .string($0.rawValue) } ?? .null,
                        "risks": .array(event.risks.map { .string($0.rawValue) }),
                        "has_evidence": .bool(hasEvidence),
                    ]
                }
            ),
            "evidence": .array(evidence),
        ]
    }

    // MARK: Deletion

    /// Deletes the user (OPS-8, NDS-24): attributes, acceptances, usage, the evidence beside their
    /// audit events, and the mapping from their id to the pseudonym. The audit events themselves
    /// (pseudonymous, legally required: OPS-1, IM-14.5) stay, so `hegui audit verify` stays green;
    /// violations and sanctions stay for the same reason. The deletion is itself an audit event.
    package func delete(tenant: String, user: String) async throws -> (evidenceErased: Int, mappingsForgotten: Int) {
        let pseudonym = self.pseudonym(tenant: tenant, user: user)
        await self.ledger?.flush()
        try await self.completeRequest(.deletion, tenant: tenant, pseudonym: pseudonym, outcome: "deleted")
        try await self.audit("user.deleted", tenant: tenant, pseudonym: pseudonym)
        let erased = try await self.store.eraseEvidence(tenant: tenant, user: pseudonym)
        try await self.store.deleteEndUser(tenant: tenant, pseudonym: pseudonym)
        let forgotten = try await self.store.forgetUser(tenant: tenant, user: user)
        self.cache.invalidate(tenant: tenant, pseudonym: pseudonym)
        return (erased, forgotten)
    }

    // MARK: Appeals (IM-14.4, IM-15)

    /// The user's sanctions, each with the appeals against it.
    package func sanctions(tenant: String, user: String) async throws -> JSONValue {
        let pseudonym = self.pseudonym(tenant: tenant, user: user)
        var list: [JSONValue] = []
        for sanction in try await self.store.sanctions(tenant: tenant, pseudonym: pseudonym) {
            guard case .object(var object) = Self.json(sanction) else { continue }
            object["active"] = .bool(sanction.isActive(at: self.now()))
            object["appeals"] = .array(try await self.store.appeals(sanction: sanction.id).map(Self.json))
            list.append(.object(object))
        }
        return ["sanctions": .array(list)]
    }

    /// Files the user's appeal against one of their sanctions as a complaint linked to it: the
    /// text is kept as evidence beside an audit event, the contact only as a keyed hash. The
    /// compliance officer answers it through the complaint workflow and lifts the sanction with
    /// the ticket as the reason.
    /// - Throws: ``StoreError`` `notFound` for a sanction that is not this user's.
    package func appeal(
        tenant: String,
        user: String,
        sanction id: String,
        text: String,
        contact: String?
    ) async throws
        -> ComplaintRecord
    {
        let pseudonym = self.pseudonym(tenant: tenant, user: user)
        guard let sanction = try await self.store.sanction(id: id), sanction.tenant == tenant,
            sanction.pseudonym == pseudonym
        else {
            throw StoreError(.notFound, "the user has no sanction '\(id)'")
        }
        let time = self.now()
        let ticket = "AP-" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))
        let event = try await self.auditLog?.append(
            AuditEventDraft(
                type: "sanction.appealed",
                time: time,
                tenant: tenant,
                user: pseudonym,
                details: ["sanction": id, "ticket": ticket],
                evidence: text
            )
        )
        let complaint = ComplaintRecord(
            id: ticket,
            tenant: tenant,
            category: "appeal",
            receivedAt: time,
            dueAt: self.users.calendar.deadline(
                workingDays: self.users.appealWorkingDays,
                after: time,
                in: self.users.minors.zone,
                for: "appeal",
                logger: self.logger
            ),
            contactSHA256: contact.map { ContentDigest.hex(of: $0, key: self.pseudonymKey) },
            auditSequence: event?.sequence,
            sanctionID: id
        )
        try await self.store.fileComplaint(complaint)
        return complaint
    }

    package static func json(_ complaint: ComplaintRecord) -> JSONValue {
        [
            "ticket": .string(complaint.id),
            "category": .string(complaint.category),
            "status": .string(complaint.status.rawValue),
            "received_at": .number(String(complaint.receivedAt)),
            "due_at": .number(String(complaint.dueAt)),
            "sanction": complaint.sanctionID.map(JSONValue.string) ?? .null,
            "resolution": complaint.resolution.map(JSONValue.string) ?? .null,
        ]
    }

    // MARK: Requests and deadlines (OPS-8.3)

    /// Records a rights request handled at once: opened with its deadline and completed.
    func completeRequest(
        _ kind: RightsRequestRecord.Kind,
        tenant: String,
        pseudonym: String,
        outcome: String
    ) async throws {
        let request = try await self.open(kind, tenant: tenant, pseudonym: pseudonym)
        try await self.store.completeRightsRequest(id: request.id, at: self.now(), outcome: outcome)
    }

    /// Opens a rights request to be handled later (by the operator), with its deadline.
    package func open(
        _ kind: RightsRequestRecord.Kind,
        tenant: String,
        pseudonym: String
    ) async throws
        -> RightsRequestRecord
    {
        let time = self.now()
        let request = RightsRequestRecord(
            id: "pr-" + UUID().uuidString.lowercased(),
            tenant: tenant,
            pseudonym: pseudonym,
            kind: kind,
            receivedAt: time,
            dueAt: self.users.calendar.deadline(
                workingDays: self.users.rightsRequestWorkingDays,
                after: time,
                in: self.users.minors.zone,
                for: "personal-information request",
                logger: self.logger
            )
        )
        try await self.store.openRightsRequest(request)
        return request
    }

    // MARK: JSON

    func json(_ record: EndUserRecord) -> JSONValue {
        [
            "first_seen": .number(String(record.firstSeen)),
            "birth_year": record.birthYear.map { .number(String($0)) } ?? .null,
            "age_band": record.ageBand.map(JSONValue.string) ?? .null,
            "minor": record.isMinor.map(JSONValue.bool) ?? .null,
            "minors_band": self.users.minors.band(
                of: .init(band: record.ageBand, birthYear: record.birthYear, isMinor: record.isMinor),
                at: self.now()
            ).map { .string($0.name) } ?? .null,
            "identity_verified": .bool(record.identityVerified),
            "training_consent": record.trainingConsent.map(JSONValue.bool) ?? .null,
            "locale": record.locale.map(JSONValue.string) ?? .null,
            "updated_at": .number(String(record.updatedAt)),
            "consecutive_violations": .number(String(record.consecutiveViolations)),
        ]
    }

    package static func json(_ acceptance: AcceptanceRecord) -> JSONValue {
        [
            "version": .string(acceptance.version),
            "accepted_at": .number(String(acceptance.acceptedAt)),
            "ip_sha256": acceptance.ipSHA256.map(JSONValue.string) ?? .null,
        ]
    }

    package static func json(_ sanction: SanctionRecord) -> JSONValue {
        [
            "id": .string(sanction.id),
            "level": .string(sanction.level.rawValue),
            "reason": .string(sanction.reason),
            "imposed_at": .number(String(sanction.imposedAt)),
            "expires_at": sanction.expiresAt.map { .number(String($0)) } ?? .null,
            "lifted_at": sanction.liftedAt.map { .number(String($0)) } ?? .null,
            "lift_reason": sanction.liftReason.map(JSONValue.string) ?? .null,
            "note": sanction.note.map(JSONValue.string) ?? .null,
            "reported_at": sanction.reportedAt.map { .number(String($0)) } ?? .null,
            "audit_sequence": sanction.auditSequence.map { .number(String($0)) } ?? .null,
        ]
    }

    package static func json(_ violation: ViolationRecord) -> JSONValue {
        [
            "id": .string(violation.id),
            "time": .number(String(violation.time)),
            "risks": .array(violation.risks.map { .string($0.rawValue) }),
            "audit_sequence": violation.auditSequence.map { .number(String($0)) } ?? .null,
        ]
    }

    package static func json(_ request: RightsRequestRecord) -> JSONValue {
        [
            "id": .string(request.id),
            "kind": .string(request.kind.rawValue),
            "received_at": .number(String(request.receivedAt)),
            "due_at": .number(String(request.dueAt)),
            "completed_at": request.completedAt.map { .number(String($0)) } ?? .null,
            "outcome": request.outcome.map(JSONValue.string) ?? .null,
        ]
    }
}
