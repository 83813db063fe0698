import Foundation
import HTTPTypes
import HeguiCore
import HeguiStore
package import Hummingbird
import NIOCore

/// Takedowns and incidents over the API (issue 7 item 4; IM-14):
///
/// - `POST /admin/takedowns` `{"content_id","risks":[…],"reference_answer","ticket","tenant",
///   "prompt","bad_output","severity","summary"}`: take content down (201, with the incident).
/// - `GET  /admin/incidents[?status=open][&format=jsonl]` (with `jsonl`, each incident's whole
///   report a line), `GET /admin/incidents/{id}/report[?format=text]`,
///   `POST /admin/incidents/{id}/status` `{"status":"contained|reported|closed","note"}`.
/// - `GET  /admin/rectification-samples[?since=ms]`: JSON Lines for safety training (IM-14.2); a
///   user's prompt only with the user's training consent, users who withdrew it left out (the
///   count in `X-Hegui-Excluded`).
/// - `GET  /v1/content/{id}` (tenant key): whether the app must remove a piece of content.
package struct TakedownAPIController: Sendable {
    let takedowns: TakedownService
    let maximumBodyBytes: Int

    package init(takedowns: TakedownService, maximumBodyBytes: Int = 1 << 20) {
        self.takedowns = takedowns
        self.maximumBodyBytes = maximumBodyBytes
    }

    package func addTenantRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("content/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            let found = try await self.takedowns.store.takedowns(contentID: id, tenant: nil)
                .filter { $0.tenant == nil || $0.tenant == context.tenant?.id }
            let removed = found.first
            return Response.json(
                JSONValue.object([
                    "content_id": .string(id),
                    "status": .string(removed == nil ? "ok" : "removed"),
                    "removed_at": removed.map { .number(String($0.createdAt)) } ?? .null,
                    "risks": .array((removed?.risks ?? []).map { .string($0.rawValue) }),
                ]).serialized
            )
        }
    }

    package func addAdminRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("takedowns") { request, _ in
            let body = try await Request.jsonObject(request, limit: self.maximumBodyBytes)
            guard let content = body["content_id"]?.stringValue, !content.isEmpty, content.count <= 200 else {
                throw APIError.missingParameter("content_id")
            }
            var risks: [RiskCode] = []
            for value in body["risks"]?.arrayValue ?? [] {
                guard let text = value.stringValue, let risk = RiskCode(text) else {
                    throw APIError.invalidParameter(
                        "risks",
                        expectedZH: "风险代码列表，如 [\"A1d\"]",
                        expected: "a list of risk codes such as [\"A1d\"]",
                        got: value.typeName
                    )
                }
                risks.append(risk)
            }
            guard !risks.isEmpty else { throw APIError.missingParameter("risks") }
            guard let reference = body["reference_answer"]?.stringValue, !reference.isEmpty else {
                throw APIError.missingParameter("reference_answer")
            }
            let (takedown, incident) = try await self.takedowns.takeDown(
                TakedownService.Order(
                    contentID: content,
                    tenant: body["tenant"]?.stringValue,
                    complaintID: body["ticket"]?.stringValue,
                    risks: risks,
                    referenceAnswer: reference,
                    prompt: body["prompt"]?.stringValue,
                    badOutput: body["bad_output"]?.stringValue,
                    severity: body["severity"]?.stringValue ?? "medium",
                    summary: body["summary"]?.stringValue
                ),
                actor: body["by"]?.stringValue ?? "officer"
            )
            return Response.json(
                JSONValue.object([
                    "takedown": .string(takedown.id),
                    "incident": .string(incident.id),
                    "content_id": .string(takedown.contentID),
                    "user_pseudonym": takedown.endUser.map(JSONValue.string) ?? .null,
                ]).serialized,
                status: .created
            )
        }
        group.get("incidents") { request, _ in
            let status = request.uri.queryParameters["status"].flatMap { IncidentRecord.Status(rawValue: String($0)) }
            if request.uri.queryParameters["format"] == "jsonl" {
                return Self.jsonLines(try await self.takedowns.incidentExport(status: status))
            }
            let list = try await self.takedowns.store.incidents(status: status)
            return Response.json(
                JSONValue.object([
                    "incidents": .array(
                        list.map { incident in
                            [
                                "id": .string(incident.id), "severity": .string(incident.severity),
                                "title": .string(incident.title), "status": .string(incident.status.rawValue),
                                "opened_at": .number(String(incident.openedAt)),
                                "reported_at": incident.reportedAt.map { .number(String($0)) } ?? .null,
                            ]
                        }
                    )
                ]).serialized
            )
        }
        group.get("incidents/{id}/report") { request, context in
            let report = try await self.takedowns.report(incidentID: context.parameters.get("id") ?? "")
            guard request.uri.queryParameters["format"] == "text" else { return Response.json(report.json.serialized) }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: report.text))
            )
        }
        group.post("incidents/{id}/status") { request, context in
            let body = try await Request.jsonObject(request, limit: self.maximumBodyBytes)
            guard let text = body["status"]?.stringValue, let status = IncidentRecord.Status(rawValue: text) else {
                throw APIError.invalidParameter(
                    "status",
                    expectedZH: "contained、reported 或 closed",
                    expected: "contained, reported or closed",
                    got: body["status"]?.typeName ?? "nothing"
                )
            }
            let incident = try await self.takedowns.update(
                incidentID: context.parameters.get("id") ?? "",
                status: status,
                note: body["note"]?.stringValue,
                actor: body["by"]?.stringValue ?? "officer"
            )
            return Response.json(
                JSONValue.object([
                    "id": .string(incident.id), "status": .string(incident.status.rawValue),
                    "reported_at": incident.reportedAt.map { .number(String($0)) } ?? .null,
                ]).serialized
            )
        }
        group.get("rectification-samples") { request, _ in
            let since = request.uri.queryParameters["since"].flatMap { Int64(String($0)) } ?? 0
            let (lines, excluded) = try await self.takedowns.trainingSamples(since: since)
            var response = Self.jsonLines(lines)
            response.headers[.init("X-Hegui-Excluded")!] = String(excluded)  // a valid token
            return response
        }
    }

    static func jsonLines(_ lines: [String]) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/x-ndjson; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: lines.map { $0 + "\n" }.joined()))
        )
    }
}
