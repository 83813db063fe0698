import Foundation
import HTTPTypes
import HeguiCore
import HeguiStore
package import Hummingbird
import NIOCore

/// Complaints over JSON (issue 7 items 2 and 3): for apps that embed their own form
/// (`POST /v1/complaints`, `GET /v1/complaints/{ticket}` with `X-Hegui-Access-Code`), and for the
/// compliance officer (`GET /admin/complaints[?status=…&overdue=true]`, `GET /admin/complaints/{ticket}`
/// with the complaint's text and the whole timeline, `POST /admin/complaints/{ticket}/actions`).
package struct ComplaintAPIController: Sendable {
    let complaints: ComplaintService
    let maximumBodyBytes: Int

    package init(complaints: ComplaintService, maximumBodyBytes: Int = 1 << 20) {
        self.complaints = complaints
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Routes for apps, on the `/v1` group (tenant key).
    package func addTenantRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("complaints") { request, context in
            let body = try await Request.jsonObject(request, limit: self.maximumBodyBytes)
            let categoryText = body["category"]?.stringValue ?? ""
            guard let category = ComplaintCategory(rawValue: categoryText) else {
                throw APIError.invalidParameter(
                    "category",
                    expectedZH: ComplaintCategory.allCases.map(\.rawValue).joined(separator: "、"),
                    expected: "one of " + ComplaintCategory.allCases.map(\.rawValue).joined(separator: ", "),
                    got: body["category"]?.typeName ?? "nothing"
                )
            }
            for field in ["description", "content", "contact", "language"] {
                if let value = body[field], value.stringValue == nil, value != .null {
                    throw APIError.invalidParameter(field, expectedZH: "字符串", expected: "a string", got: value.typeName)
                }
            }
            var attachments: [(filename: String, bytes: [UInt8])] = []
            for (index, item) in (body["attachments"]?.arrayValue ?? []).enumerated() {
                guard let object = item.objectValue, let data = object["data_base64"]?.stringValue,
                    let bytes = Data(base64Encoded: data)
                else {
                    throw APIError.invalidParameter(
                        "attachments[\(index)]",
                        expectedZH: "{\"filename\", \"data_base64\"}",
                        expected: "{\"filename\", \"data_base64\"}",
                        got: item.typeName
                    )
                }
                attachments.append((object["filename"]?.stringValue ?? "attachment", Array(bytes)))
            }
            var submission = ComplaintService.Submission(
                category: category,
                description: body["description"]?.stringValue ?? "",
                content: body["content"]?.stringValue ?? "",
                contact: body["contact"]?.stringValue,
                language: body["language"]?.stringValue == "en" ? "en" : "zh",
                tenant: context.tenant?.id
            )
            submission.attachments = attachments
            let filed = try await self.complaints.file(submission, actor: "app")
            guard case .object(var object) = self.json(filed.complaint, events: nil) else {
                throw APIError.internalError()
            }
            object["access_code"] = .string(filed.accessCode)
            return Response.json(JSONValue.object(object).serialized, status: .created)
        }
        group.get("complaints/{ticket}") { request, context in
            let code = request.headers[.init("X-Hegui-Access-Code")!] ?? ""
            // An app reads tickets filed through it or on the public pages, never another
            // tenant's, even with the right code (tenant isolation).
            guard
                let (complaint, events) = try await self.complaints.status(
                    ticket: context.parameters.get("ticket") ?? "",
                    code: code
                ),
                complaint.tenant == nil || complaint.tenant == context.tenant?.id
            else {
                throw APIError(
                    status: 404,
                    type: "invalid_request_error",
                    code: .notFound,
                    zh: "工单号或查询码不正确",
                    en: "The ticket number or access code is wrong"
                )
            }
            return Response.json(self.json(complaint, events: events).serialized)
        }
    }

    /// Routes for the compliance officer, on the admin group.
    package func addAdminRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("complaints") { request, _ in
            let statusText = request.uri.queryParameters["status"].map(String.init)
            let status = try statusText.map { text -> ComplaintWorkflow.Status in
                guard let status = ComplaintWorkflow.Status(rawValue: text) else {
                    throw APIError.invalidParameter(
                        "status",
                        expectedZH: ComplaintWorkflow.Status.allCases.map(\.rawValue).joined(separator: "、"),
                        expected: ComplaintWorkflow.Status.allCases.map(\.rawValue).joined(separator: ", "),
                        got: "'\(text.prefix(40))'"
                    )
                }
                return status
            }
            let overdueOnly = request.uri.queryParameters["overdue"] == "true"
            let list = try await self.complaints.list(status: status, overdueOnly: overdueOnly, limit: 1_000)
            return Response.json(
                JSONValue.object([
                    "complaints": .array(
                        list.map { complaint, overdue in
                            guard case .object(var object) = self.json(complaint, events: nil) else { return .null }
                            object["overdue"] = .bool(overdue)
                            object["assignee"] = complaint.assignee.map(JSONValue.string) ?? .null
                            return .object(object)
                        }
                    ),
                    "overdue": .number(String(list.filter(\.1).count)),
                ]).serialized
            )
        }
        group.get("complaints/{ticket}") { _, context in
            let id = context.parameters.get("ticket") ?? ""
            guard let complaint = try await self.complaints.store.complaint(id: id) else {
                throw StoreError(.notFound, "no complaint '\(id)'")
            }
            let events = try await self.complaints.store.complaintEvents(id: id)
            guard case .object(var object) = self.json(complaint, events: events) else {
                throw APIError.internalError()
            }
            object["assignee"] = complaint.assignee.map(JSONValue.string) ?? .null
            object["overdue"] = .bool(
                ComplaintWorkflow.isOverdue(status: complaint.status, dueAt: complaint.dueAt, at: self.complaints.now())
            )
            object["attachments"] = .array(
                try await self.complaints.store.complaintAttachments(id: id, withData: false).map { attachment in
                    [
                        "index": .number(String(attachment.sequence)), "filename": .string(attachment.filename),
                        "content_type": .string(attachment.contentType), "size": .number(String(attachment.size)),
                        "sha256": .string(attachment.sha256),
                        "url": .string("/admin/complaints/\(id)/attachments/\(attachment.sequence)"),
                    ]
                }
            )
            // The complainant's words, kept as evidence beside the first audit event.
            if let sequence = complaint.auditSequence {
                object["text"] =
                    try await self.complaints.store.evidence(sequence: sequence).map(JSONValue.string) ?? .null
            }
            return Response.json(JSONValue.object(object).serialized)
        }
        group.get("complaints/{ticket}/attachments/{index}") { _, context in
            let id = context.parameters.get("ticket") ?? ""
            let index = Int(context.parameters.get("index") ?? "") ?? -1
            guard
                let attachment = try await self.complaints.store.complaintAttachments(id: id, withData: true)
                    .first(where: { $0.sequence == index })
            else {
                throw StoreError(.notFound, "no attachment \(index) of complaint '\(id)'")
            }
            // Always a download, never rendered by the officer's browser.
            return Response(
                status: .ok,
                headers: [
                    .contentType: attachment.contentType,
                    .contentDisposition: "attachment; filename=\"attachment-\(index)\"; filename*=UTF-8''"
                        + (attachment.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
                    .init("X-Content-Type-Options")!: "nosniff",  // a valid token
                    .contentSecurityPolicy: "default-src 'none'; sandbox",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: attachment.data))
            )
        }
        group.post("complaints/{ticket}/actions") { request, context in
            let body = try await Request.jsonObject(request, limit: self.maximumBodyBytes)
            guard let actionText = body["action"]?.stringValue,
                let action = ComplaintWorkflow.Action(rawValue: actionText), action != .respond
            else {
                let allowed = ComplaintWorkflow.Action.allCases.filter { $0 != .respond }.map(\.rawValue)
                throw APIError.invalidParameter(
                    "action",
                    expectedZH: allowed.joined(separator: "、"),
                    expected: allowed.joined(separator: ", "),
                    got: body["action"]?.typeName ?? "nothing"
                )
            }
            let complaint = try await self.complaints.act(
                action,
                on: context.parameters.get("ticket") ?? "",
                text: body["text"]?.stringValue,
                actor: body["by"]?.stringValue ?? "officer",
                assignee: body["assignee"]?.stringValue,
                liftSanction: body["lift_sanction"]?.boolValue ?? false
            )
            let events = try await self.complaints.store.complaintEvents(id: complaint.id)
            return Response.json(self.json(complaint, events: events).serialized)
        }
    }

    func json(_ complaint: ComplaintRecord, events: [ComplaintEventRecord]?) -> JSONValue {
        var object: JSONObject = [
            "ticket": .string(complaint.id),
            "category": .string(complaint.category),
            "status": .string(complaint.status.rawValue),
            "status_zh": .string(complaint.status.nameZH),
            "status_en": .string(complaint.status.nameEN),
            "received_at": .number(String(complaint.receivedAt)),
            "due_at": .number(String(complaint.dueAt)),
            "resolution": complaint.resolution.map(JSONValue.string) ?? .null,
            "closed_at": complaint.closedAt.map { .number(String($0)) } ?? .null,
            "sanction": complaint.sanctionID.map(JSONValue.string) ?? .null,
            "content_ref": complaint.contentRef.map(JSONValue.string) ?? .null,
        ]
        if let events {
            object["timeline"] = .array(
                events.map { event in
                    [
                        "time": .number(String(event.time)),
                        "action": .string(event.action),
                        "actor": .string(event.actor),
                        "public": .bool(event.isPublic),
                        "text": event.text.map(JSONValue.string) ?? .null,
                    ]
                }
            )
        }
        return .object(object)
    }
}
