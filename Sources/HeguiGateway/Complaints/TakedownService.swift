import Foundation
package import HeguiCore
package import HeguiStore
package import Logging

/// Takedowns of illegal generated content (IM-14.1–14.5), from a ticket or directly: the evidence
/// is held for the authorities (retention and deletion pass it by), the content is marked removed
/// (apps ask `GET /v1/content/{id}`), the user's violation is counted on the sanctions ladder, a
/// rectification sample is kept for safety training (IM-14.2), and an incident is opened whose
/// report, in JSON and in words, is ready to file (IM-14.3).
package final class TakedownService: Sendable {
    let store: SQLStore
    let auditLog: AuditLog?
    let sanctions: SanctionService?
    let complaints: ComplaintService?
    let notifications: Notifications?
    /// Whether a user who has not said otherwise consents to training use (TC-7.3).
    let trainingConsentDefault: Bool
    let logger: Logger
    let now: @Sendable () -> Int64

    package init(
        store: SQLStore,
        auditLog: AuditLog?,
        sanctions: SanctionService?,
        complaints: ComplaintService?,
        notifications: Notifications? = nil,
        trainingConsentDefault: Bool = false,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.trainingConsentDefault = trainingConsentDefault
        self.store = store
        self.auditLog = auditLog
        self.sanctions = sanctions
        self.complaints = complaints
        self.notifications = notifications
        self.logger = logger
        self.now = now
    }

    /// What the officer decided.
    package struct Order: Sendable {
        package var contentID: String
        package var tenant: String?
        package var complaintID: String?
        package var risks: [RiskCode]
        /// The answer the model should have given (the rectification sample's reference).
        package var referenceAnswer: String
        package var prompt: String?
        package var badOutput: String?
        package var severity: String
        package var summary: String?

        package init(
            contentID: String,
            tenant: String? = nil,
            complaintID: String? = nil,
            risks: [RiskCode],
            referenceAnswer: String,
            prompt: String? = nil,
            badOutput: String? = nil,
            severity: String = "medium",
            summary: String? = nil
        ) {
            self.contentID = contentID
            self.tenant = tenant
            self.complaintID = complaintID
            self.risks = risks
            self.referenceAnswer = referenceAnswer
            self.prompt = prompt
            self.badOutput = badOutput
            self.severity = severity
            self.summary = summary
        }
    }

    /// Takes content down; returns the takedown and the incident opened for it.
    package func takeDown(_ order: Order, actor: String) async throws -> (TakedownRecord, IncidentRecord) {
        let time = self.now()
        let events = try await self.store.auditEvents(requestID: order.contentID)
        let user = events.lazy.compactMap(\.event.user).first
        let tenant = order.tenant ?? events.lazy.compactMap(\.event.tenant).first
        var held = events.filter(\.hasEvidence).map(\.event.sequence)
        var complaint: ComplaintRecord?
        if let id = order.complaintID {
            guard let found = try await self.store.complaint(id: id) else {
                throw StoreError(.notFound, "no complaint '\(id)'")
            }
            complaint = found
            if let sequence = found.auditSequence { held.append(sequence) }
        }
        // The texts for the rectification sample: given, or the evidence kept of the request.
        var prompt = order.prompt
        var badOutput = order.badOutput
        for (event, hasEvidence) in events where hasEvidence {
            let text = try await self.store.evidence(sequence: event.sequence)
            if prompt == nil, event.details["direction"] == "input" { prompt = text }
            if badOutput == nil, event.details["direction"] == "output" { badOutput = text }
        }
        let takedownID = "TD-" + UUID().uuidString.lowercased().prefix(13)
        let incidentID =
            "INC-" + LocalTime.beijing.date(of: time).description.replacingOccurrences(of: "-", with: "")
            + "-" + UUID().uuidString.prefix(6).uppercased()
        let event = try await self.append(
            AuditEventDraft(
                type: "content.taken_down",
                time: time,
                tenant: tenant,
                user: user,
                requestID: order.contentID.hasPrefix("req_") ? order.contentID : nil,
                action: .block,
                risks: order.risks,
                details: [
                    "takedown": takedownID, "incident": incidentID, "content": order.contentID,
                    "ticket": order.complaintID ?? "", "held_evidence": held.map(String.init).joined(separator: ","),
                    "by": actor,
                ]
            )
        )
        // The user's violation (IM-14.4), and what the ladder did about it.
        var measure = "无关联用户 / no user known"
        if let user, let tenant {
            try await self.store.recordViolation(
                ViolationRecord(
                    id: "v-" + takedownID,
                    tenant: tenant,
                    pseudonym: user,
                    time: time,
                    risks: order.risks,
                    auditSequence: event?.sequence
                )
            )
            if let sanction = try await self.sanctions?.afterViolation(tenant: tenant, pseudonym: user, at: time) {
                measure = "\(sanction.level.rawValue): \(sanction.reason)"
            } else {
                measure = "违规已记录 / violation recorded"
            }
        }
        let risks = order.risks.map(Self.describe).joined(separator: "；")
        let incident = IncidentRecord(
            id: incidentID,
            severity: order.severity,
            title: "违法生成内容下架 / Takedown of illegal generated content \(order.contentID)",
            openedAt: time,
            summary: order.summary
                ?? "内容 \(order.contentID) 经核查违法（\(risks)），已停止传输并标记删除；证据 \(held.count) 项已留存；用户处置：\(measure)。"
        )
        try await self.store.openIncident(incident)
        let takedown = TakedownRecord(
            id: takedownID,
            tenant: tenant,
            contentID: order.contentID,
            complaintID: order.complaintID,
            incidentID: incidentID,
            endUser: user,
            risks: order.risks,
            createdAt: time,
            auditSequence: event?.sequence
        )
        try await self.store.recordTakedown(
            takedown,
            holding: Array(Set(held)).sorted(),
            sample: RectificationSampleRecord(
                id: "RS-" + UUID().uuidString.lowercased().prefix(13),
                takedownID: takedownID,
                risks: order.risks,
                prompt: prompt,
                badOutput: badOutput,
                referenceAnswer: order.referenceAnswer,
                createdAt: time
            )
        )
        if let complaint, let complaints = self.complaints {
            _ = try await complaints.act(
                .note,
                on: complaint.id,
                text: "已下架 \(order.contentID)，事件 \(incidentID) / taken down, incident \(incidentID)",
                actor: actor
            )
        }
        await self.notifications?.notify(
            "incident.opened",
            key: incidentID,
            data: [
                "incident": .string(incidentID), "severity": .string(incident.severity),
                "content_id": .string(order.contentID), "risks": .array(order.risks.map { .string($0.rawValue) }),
                "ticket": order.complaintID.map(JSONValue.string) ?? .null,
            ]
        )
        return (takedown, incident)
    }

    /// The rectification samples for training (IM-14.2), as JSON Lines, and how many were left
    /// out. A user who withdrew (or refused) training consent is excluded altogether (TC-7.3,
    /// IM-11): withdrawal takes effect in every export from then on. A user who never said keeps
    /// the provider's default: without consent the prompt (the user's own words) is withheld and
    /// the model's output and the reference answer stay.
    package func trainingSamples(since: Int64) async throws -> (lines: [String], excluded: Int) {
        var consent: [String: Bool?] = [:]
        var lines: [String] = []
        var excluded = 0
        for sample in try await self.store.rectificationSamples(since: since, limit: 100_000) {
            var prompt = sample.prompt.map(JSONValue.string) ?? .null
            var withheld = false
            if let takedown = try await self.store.takedown(id: sample.takedownID), let tenant = takedown.tenant,
                let user = takedown.endUser
            {
                let key = tenant + "\u{1F}" + user
                if consent[key] == nil {
                    consent[key] = .some(try await self.store.endUser(tenant: tenant, pseudonym: user)?.trainingConsent)
                }
                switch consent[key] ?? nil {
                case false?:
                    excluded += 1
                    continue
                case nil where !self.trainingConsentDefault && sample.prompt != nil:
                    prompt = .null
                    withheld = true
                default:
                    break
                }
            }
            let object: JSONObject = [
                "id": .string(sample.id),
                "takedown": .string(sample.takedownID),
                "risks": .array(sample.risks.map { .string($0.rawValue) }),
                "prompt": prompt,
                "prompt_withheld": withheld ? .string("no training consent") : .null,
                "bad_output": sample.badOutput.map(JSONValue.string) ?? .null,
                "reference_answer": .string(sample.referenceAnswer),
                "created_at": .number(String(sample.createdAt)),
            ]
            lines.append(JSONValue.object(object).serialized)
        }
        return (lines, excluded)
    }

    /// Every incident's report (``report(incidentID:)``) as JSON Lines, newest first, of one
    /// status or all: the incident export for the authorities and the provider's own systems.
    package func incidentExport(status: IncidentRecord.Status?) async throws -> [String] {
        var lines: [String] = []
        for incident in try await self.store.incidents(status: status) {
            lines.append(try await self.report(incidentID: incident.id).json.serialized)
        }
        return lines
    }

    /// The incident report, ready to file: as JSON, and in words (Chinese with English beside it).
    package func report(incidentID: String) async throws -> (json: JSONValue, text: String) {
        guard let incident = try await self.store.incident(id: incidentID) else {
            throw StoreError(.notFound, "no incident '\(incidentID)'")
        }
        let takedowns = try await self.store.takedowns(incidentID: incidentID)
        var items: [JSONValue] = []
        var lines = [
            "生成式人工智能服务安全事件报告 / Incident report",
            "事件编号 Incident: \(incident.id)",
            "级别 Severity: \(incident.severity)",
            "状态 Status: \(incident.status.rawValue)",
            "发现时间 Opened: \(Self.format(incident.openedAt))（北京时间 Beijing time）",
            "概要 Summary: \(incident.summary)",
        ]
        for takedown in takedowns {
            let held = try await self.store.heldEvidence(takedownID: takedown.id)
            let risks = takedown.risks.map { risk -> JSONValue in
                let entry = RiskCatalogue.standard.risk(risk)
                let object: JSONObject = [
                    "code": .string(risk.rawValue),
                    "name_zh": .string(entry?.chineseName ?? ""),
                    "name_en": .string(entry?.englishName ?? ""),
                ]
                return .object(object)
            }
            items.append(
                [
                    "takedown": .string(takedown.id),
                    "content_id": .string(takedown.contentID),
                    "tenant": takedown.tenant.map(JSONValue.string) ?? .null,
                    "complaint": takedown.complaintID.map(JSONValue.string) ?? .null,
                    "user_pseudonym": takedown.endUser.map(JSONValue.string) ?? .null,
                    "risks": .array(risks),
                    "taken_down_at": .number(String(takedown.createdAt)),
                    "held_evidence": .array(held.map { .number(String($0)) }),
                    "audit_sequence": takedown.auditSequence.map { .number(String($0)) } ?? .null,
                    "actions": [
                        "停止生成与传输 / generation and transmission stopped",
                        "内容标记删除 / content marked removed",
                        "证据留存 / evidence held",
                        "整改样本入库 / rectification sample recorded",
                    ],
                ]
            )
            lines += [
                "",
                "下架 Takedown \(takedown.id): 内容 content \(takedown.contentID)",
                "  风险 Risks: " + takedown.risks.map(Self.describe).joined(separator: ", "),
                "  时间 Time: \(Self.format(takedown.createdAt))",
                "  投诉 Complaint: \(takedown.complaintID ?? "—")",
                "  用户（假名）User (pseudonym): \(takedown.endUser ?? "—")",
                "  留存证据（审计序号）Evidence held (audit sequence): " + held.map(String.init).joined(separator: ", "),
                "  已采取措施 Actions: 停止生成与传输、标记删除、证据留存、整改样本入库 / stopped, removed, evidence held, rectification sample",
            ]
        }
        let json: JSONValue = [
            "object": "hegui.incident_report",
            "incident": .string(incident.id),
            "severity": .string(incident.severity),
            "title": .string(incident.title),
            "status": .string(incident.status.rawValue),
            "opened_at": .number(String(incident.openedAt)),
            "reported_at": incident.reportedAt.map { .number(String($0)) } ?? .null,
            "summary": .string(incident.summary),
            "takedowns": .array(items),
        ]
        return (json, lines.joined(separator: "\n") + "\n")
    }

    /// Moves an incident on (contained, reported to the authorities, closed); audited.
    package func update(
        incidentID: String,
        status: IncidentRecord.Status,
        note: String?,
        actor: String
    ) async throws
        -> IncidentRecord
    {
        guard var incident = try await self.store.incident(id: incidentID) else {
            throw StoreError(.notFound, "no incident '\(incidentID)'")
        }
        let time = self.now()
        _ = try await self.append(
            AuditEventDraft(
                type: "incident.\(status.rawValue)",
                time: time,
                details: ["incident": incidentID, "by": actor]
            )
        )
        incident.status = status
        incident.updatedAt = time
        if status == .reported { incident.reportedAt = incident.reportedAt ?? time }
        if status == .closed { incident.closedAt = time }
        if let note, !note.isEmpty { incident.summary += "\n" + note }
        try await self.store.updateIncident(incident)
        return incident
    }

    /// `A1d 宣扬恐怖主义、极端主义`.
    static func describe(_ risk: RiskCode) -> String {
        let name: String = RiskCatalogue.standard.risk(risk)?.chineseName ?? ""
        return risk.rawValue + " " + name
    }

    static func format(_ time: Int64) -> String {
        LocalTime.beijing.text(of: time)
    }

    private func append(_ draft: AuditEventDraft) async throws -> AuditEvent? {
        try await self.auditLog?.appendOrRefuse(draft, logger: self.logger)
    }
}
