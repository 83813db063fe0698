import Crypto
import Foundation
package import HeguiCore
package import HeguiStore
package import Logging

/// The complaint and report channel (IM-15, IM-14): tickets filed by the public (the web form),
/// by apps (the API) or as appeals, each with a secret access code shown once, a feedback due
/// date from the published time limit, a timeline, and the officer's workflow. Every step is an
/// audit event; the complainant's words are kept as evidence beside the first one.
package final class ComplaintService: Sendable {
    package struct Settings: Sendable {
        /// The published feedback time limit, in working days (IM-15.2).
        package var feedbackWorkingDays = 15
        package var calendar = WorkingDayCalendar()
        package var zone = LocalTime.beijing
        /// Public form submissions allowed per client address per hour.
        package var submissionsPerHour = 10

        package init() {}
    }

    let store: SQLStore
    let auditLog: AuditLog?
    let settings: Settings
    let key: [UInt8]
    let sanctions: SanctionService?
    let notifications: Notifications?
    let logger: Logger
    let now: @Sendable () -> Int64

    package init(
        store: SQLStore,
        auditLog: AuditLog?,
        settings: Settings,
        key: [UInt8],
        sanctions: SanctionService?,
        notifications: Notifications? = nil,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.store = store
        self.auditLog = auditLog
        self.settings = settings
        self.key = key
        self.sanctions = sanctions
        self.notifications = notifications
        self.logger = logger
        self.now = now
    }

    // MARK: Filing

    /// What a complainant submits.
    package struct Submission: Sendable {
        package var category: ComplaintCategory
        package var description: String
        /// The content concerned: a request, conversation or content id, or pasted text.
        package var content: String
        package var contact: String?
        package var language: String
        package var tenant: String?
        /// Files attached: the name given and the bytes.
        package var attachments: [(filename: String, bytes: [UInt8])] = []

        package init(
            category: ComplaintCategory,
            description: String,
            content: String = "",
            contact: String? = nil,
            language: String = "zh",
            tenant: String? = nil
        ) {
            self.category = category
            self.description = description
            self.content = content
            self.contact = contact
            self.language = language
            self.tenant = tenant
        }

        /// Checks the fields; the messages name each one in Chinese and English.
        package func problems() -> [String: String] {
            var problems: [String: String] = [:]
            let description = self.description.trimmingCharacters(in: .whitespacesAndNewlines)
            if description.count < 5 {
                problems["description"] = "请描述您的投诉或举报（至少 5 个字）/ Describe your complaint (at least 5 characters)"
            } else if description.count > 5_000 {
                problems["description"] = "描述不能超过 5000 字 / The description can be at most 5,000 characters"
            }
            if self.content.count > 20_000 {
                problems["content"] = "相关内容不能超过 20000 字 / The content concerned can be at most 20,000 characters"
            }
            let policy = AttachmentPolicy()
            if self.attachments.count > policy.maximumFiles {
                problems["attachments"] =
                    "最多附 \(policy.maximumFiles) 个文件 / At most \(policy.maximumFiles) files can be attached"
            }
            for attachment in self.attachments {
                let name = AttachmentPolicy.safeFilename(attachment.filename)
                if attachment.bytes.count > policy.maximumBytes {
                    problems["attachments"] = "“\(name)”超过 2 MB / “\(name)” is larger than 2 MB"
                } else if AttachmentPolicy.mediaType(of: attachment.bytes) == nil {
                    problems["attachments"] =
                        "“\(name)”不是 PNG、JPEG、GIF、WebP、PDF 或文本文件 / “\(name)” is not a PNG, JPEG, GIF, WebP, PDF or text file"
                }
            }
            if let contact = self.contact, contact.count > 200 {
                problems["contact"] = "联系方式不能超过 200 字 / The contact can be at most 200 characters"
            }
            let all = [self.description, self.content, self.contact ?? ""]
            if all.contains(where: {
                $0.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" }
            }) {
                problems["description"] = "含有控制字符 / Contains control characters"
            }
            return problems
        }
    }

    /// A ticket just filed: the record and the access code (shown once, never stored).
    package struct Filed: Sendable {
        package var complaint: ComplaintRecord
        package var accessCode: String
    }

    /// Files a ticket.
    /// - Throws: ``APIError`` `invalid_parameter` naming the first bad field; `audit_unavailable`.
    package func file(_ submission: Submission, actor: String) async throws -> Filed {
        if let (field, message) = submission.problems().sorted(by: { $0.key < $1.key }).first {
            throw APIError.invalidParameter(field, expectedZH: message, expected: message, got: "")
        }
        let time = self.now()
        let id = Self.makeTicketID(at: time, zone: self.settings.zone)
        let code = Self.makeAccessCode()
        var evidence = submission.description
        if !submission.content.isEmpty { evidence += "\n\n---\n" + submission.content }
        let event = try await self.append(
            AuditEventDraft(
                type: "complaint.received",
                time: time,
                tenant: submission.tenant,
                details: ["ticket": id, "category": submission.category.rawValue, "by": actor],
                evidence: evidence
            )
        )
        let complaint = ComplaintRecord(
            id: id,
            tenant: submission.tenant,
            category: submission.category.rawValue,
            receivedAt: time,
            dueAt: self.settings.calendar.deadline(
                workingDays: self.settings.feedbackWorkingDays,
                after: time,
                in: self.settings.zone,
                for: "complaint",
                logger: self.logger
            ),
            contactSHA256: submission.contact.flatMap { $0.isEmpty ? nil : ContentDigest.hex(of: $0, key: self.key) },
            auditSequence: event?.sequence,
            accessSHA256: self.digest(code: code),
            contentRef: Self.reference(in: submission.content),
            language: submission.language
        )
        try await self.store.fileComplaint(complaint)
        _ = try await self.store.addComplaintEvent(
            ComplaintEventRecord(complaintID: id, time: time, action: "received", actor: actor, isPublic: true)
        )
        for (index, attachment) in submission.attachments.enumerated() {
            try await self.store.addComplaintAttachment(
                ComplaintAttachmentRecord(
                    complaintID: id,
                    sequence: index,
                    filename: AttachmentPolicy.safeFilename(attachment.filename),
                    contentType: AttachmentPolicy.mediaType(of: attachment.bytes) ?? "application/octet-stream",
                    size: attachment.bytes.count,
                    sha256: HexEncoding.encode(SHA256.hash(data: attachment.bytes)),
                    data: attachment.bytes
                )
            )
        }
        await self.notifications?.notify("complaint.received", key: id, data: Self.summary(complaint))
        return Filed(complaint: complaint, accessCode: code)
    }

    /// What a notification says of a ticket: no complainant's words, no contact.
    static func summary(_ complaint: ComplaintRecord) -> JSONObject {
        [
            "ticket": .string(complaint.id), "category": .string(complaint.category),
            "status": .string(complaint.status.rawValue), "tenant": complaint.tenant.map(JSONValue.string) ?? .null,
            "received_at": .number(String(complaint.receivedAt)), "due_at": .number(String(complaint.dueAt)),
        ]
    }

    /// `C` + the Beijing date + 8 random hex digits: `C20261129-3F9A2C71`.
    static func makeTicketID(at time: Int64, zone: LocalTime) -> String {
        let date = zone.date(of: time).description.replacingOccurrences(of: "-", with: "")
        var generator = SystemRandomNumberGenerator()
        let suffix = String(UInt32.random(in: 0...UInt32.max, using: &generator), radix: 16, uppercase: true)
        return "C\(date)-" + String(repeating: "0", count: 8 - suffix.count) + suffix
    }

    /// 20 characters from an alphabet without look-alikes (100 bits).
    static func makeAccessCode() -> String {
        let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    func digest(code: String) -> String {
        ContentDigest.hex(
            of: "access-code\u{1F}" + code.uppercased().filter { !$0.isWhitespace && $0 != "-" },
            key: self.key
        )
    }

    /// A request or conversation id named in the content, to find the evidence by.
    static func reference(in content: String) -> String? {
        let candidates = content.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "，" })
        return candidates.first { $0.hasPrefix("req_") || $0.hasPrefix("chatcmpl-") }.map { String($0.prefix(80)) }
    }

    // MARK: The complainant's view

    /// The ticket and its public timeline, when the code is the ticket's; `nil` otherwise, the same
    /// for an unknown ticket and a wrong code (compared as digests in constant time).
    package func status(ticket: String, code: String) async throws -> (ComplaintRecord, [ComplaintEventRecord])? {
        let ticket = ticket.trimmingCharacters(in: .whitespaces).uppercased()
        guard ticket.count <= 40, code.count <= 60 else { return nil }
        let presented = self.digest(code: code)
        guard let complaint = try await self.store.complaint(id: ticket), let stored = complaint.accessSHA256,
            Self.constantTimeEqual(stored, presented)
        else {
            return nil
        }
        let events = try await self.store.complaintEvents(id: ticket).filter(\.isPublic)
        return (complaint, events)
    }

    static func constantTimeEqual(_ first: String, _ second: String) -> Bool {
        let a = Array(first.utf8)
        let b = Array(second.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// The complainant answers a request for information (with the access code).
    package func respond(ticket: String, code: String, text: String) async throws -> ComplaintRecord? {
        guard try await self.status(ticket: ticket, code: code) != nil else { return nil }
        return try await self.act(.respond, on: ticket.uppercased(), text: text, actor: "complainant")
    }

    // MARK: The officer's workflow

    /// Takes a workflow step on a ticket: checked against the workflow, recorded in the timeline
    /// and the audit log. Resolving an appeal with `liftSanction` lifts the sanction it names.
    /// - Throws: ``StoreError`` `notFound`; ``APIError`` `conflict` when the step is not allowed.
    package func act(
        _ action: ComplaintWorkflow.Action,
        on id: String,
        text: String?,
        actor: String,
        assignee: String? = nil,
        liftSanction: Bool = false
    ) async throws -> ComplaintRecord {
        guard var complaint = try await self.store.complaint(id: id) else {
            throw StoreError(.notFound, "no complaint '\(id)'")
        }
        let status: ComplaintWorkflow.Status
        switch ComplaintWorkflow.next(after: action, from: complaint.status) {
        case .success(let next): status = next
        case .failure(let error):
            throw APIError(
                status: 409,
                type: "invalid_request_error",
                code: .conflict,
                zh: error.message,
                en: error.message
            )
        }
        if [.requestInfo, .reply, .resolve, .reject, .respond, .note].contains(action), (text ?? "").isEmpty {
            throw APIError.missingParameter("text")
        }
        let time = self.now()
        var details = ["ticket": id, "action": action.rawValue, "by": actor, "status": status.rawValue]
        if let assignee { details["assignee"] = assignee }
        _ = try await self.append(
            AuditEventDraft(
                type: "complaint.\(action.rawValue)",
                time: time,
                tenant: complaint.tenant,
                details: details,
                // The complainant's answer is their words: evidence, like the complaint itself.
                evidence: action == .respond ? text : nil
            )
        )
        complaint.status = status
        complaint.updatedAt = time
        if let assignee { complaint.assignee = assignee }
        if action == .resolve || action == .reject { complaint.resolution = text }
        if action == .close { complaint.closedAt = time }
        try await self.store.updateComplaint(complaint)
        _ = try await self.store.addComplaintEvent(
            ComplaintEventRecord(
                complaintID: id,
                time: time,
                action: action.rawValue,
                actor: action == .respond ? "complainant" : "officer",
                isPublic: action.isPublic,
                text: action == .respond ? nil : text
            )
        )
        if action == .resolve, liftSanction, let sanction = complaint.sanctionID, let tenant = complaint.tenant {
            _ = try await self.sanctions?.lift(
                id: sanction,
                tenant: tenant,
                reason: "申诉成立 / appeal upheld (\(id))",
                at: time
            )
        }
        return complaint
    }

    /// Tickets by status (all when `nil`), soonest due first, with whether each is overdue.
    package func list(
        status: ComplaintWorkflow.Status?,
        overdueOnly: Bool,
        limit: Int
    ) async throws -> [(
        ComplaintRecord, Bool
    )] {
        let time = self.now()
        return try await self.store.complaints(status: status, limit: limit)
            .map { ($0, ComplaintWorkflow.isOverdue(status: $0.status, dueAt: $0.dueAt, at: time)) }
            .filter { !overdueOnly || $0.1 }
    }

    private func append(_ draft: AuditEventDraft) async throws -> AuditEvent? {
        try await self.auditLog?.appendOrRefuse(draft, logger: self.logger)
    }

    /// A Beijing-time rendering of a time: `2026-12-18 23:59`.
    package func format(_ time: Int64) -> String {
        self.settings.zone.text(of: time)
    }
}
