import Foundation
import HeguiCore
import SQLKit

// The webhook outbox: notifications are stored before they are sent, so none is lost to a
// restart, and each key is sent once.

extension SQLStore {
    /// Queues a message; `false` when one with the same key was queued before.
    package func enqueueWebhook(_ message: WebhookMessageRecord) async throws -> Bool {
        try await self.inserted(
            """
            INSERT INTO webhook_outbox (id, dedupe_key, event, payload, created_at, attempts, next_attempt_at)
            VALUES (\(bind: message.id), \(bind: message.dedupeKey), \(bind: message.event), \(bind: message.payload),
                \(bind: message.createdAt), 0, \(bind: message.nextAttemptAt))
            ON CONFLICT DO NOTHING RETURNING id
            """,
            "queue a notification"
        )
    }

    /// Undelivered messages due at `time`, oldest first.
    package func dueWebhooks(at time: Int64, limit: Int) async throws -> [WebhookMessageRecord] {
        try await self.rows(
            """
            SELECT * FROM webhook_outbox WHERE delivered_at IS NULL AND next_attempt_at <= \(bind: time)
            ORDER BY next_attempt_at, id LIMIT \(bind: limit)
            """,
            "read due notifications",
            Self.webhookRecord
        )
    }

    package func webhooks() async throws -> [WebhookMessageRecord] {
        try await self.rows(
            "SELECT * FROM webhook_outbox ORDER BY created_at, id",
            "read notifications",
            Self.webhookRecord
        )
    }

    package func markWebhookDelivered(id: String, at time: Int64, attempts: Int) async throws {
        try await self.run(
            """
            UPDATE webhook_outbox SET delivered_at = \(bind: time), attempts = \(bind: Int64(attempts)), last_error = NULL
            WHERE id = \(bind: id)
            """,
            "mark a notification delivered"
        )
    }

    /// Records a failed attempt; `next` is `nil` when the message is given up.
    package func markWebhookFailed(id: String, attempts: Int, next: Int64?, error: String) async throws {
        try await self.run(
            """
            UPDATE webhook_outbox SET attempts = \(bind: Int64(attempts)),
                next_attempt_at = \(bind: next ?? Int64.max), last_error = \(bind: String(error.prefix(300)))
            WHERE id = \(bind: id)
            """,
            "record a failed notification"
        )
    }

    static func webhookRecord(_ row: any SQLRow) throws -> WebhookMessageRecord {
        WebhookMessageRecord(
            id: try row.decode(column: "id", as: String.self),
            dedupeKey: try row.decode(column: "dedupe_key", as: String.self),
            event: try row.decode(column: "event", as: String.self),
            payload: try row.decode(column: "payload", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
            nextAttemptAt: try row.decode(column: "next_attempt_at", as: Int64.self),
            deliveredAt: try row.decode(column: "delivered_at", as: Int64?.self),
            lastError: try row.decode(column: "last_error", as: String?.self)
        )
    }
}

extension SQLStore {
    // MARK: Complaint attachments

    static func bytes(base64 text: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else { throw StoreError(.corrupt, "an attachment does not decode") }
        return Array(data)
    }

    package func addComplaintAttachment(_ attachment: ComplaintAttachmentRecord) async throws {
        try await self.run(
            """
            INSERT INTO complaint_attachments (complaint_id, seq, filename, content_type, size, sha256, data)
            VALUES (\(bind: attachment.complaintID), \(bind: Int64(attachment.sequence)), \(bind: attachment.filename),
                \(bind: attachment.contentType), \(bind: Int64(attachment.size)), \(bind: attachment.sha256),
                \(bind: Data(attachment.data).base64EncodedString()))
            """,
            "store an attachment"
        )
    }

    /// A ticket's attachments; with their bytes only when `withData`.
    package func complaintAttachments(id: String, withData: Bool) async throws -> [ComplaintAttachmentRecord] {
        try await self.rows(
            withData
                ? "SELECT * FROM complaint_attachments WHERE complaint_id = \(bind: id) ORDER BY seq"
                : """
                SELECT complaint_id, seq, filename, content_type, size, sha256, '' AS data FROM complaint_attachments
                WHERE complaint_id = \(bind: id) ORDER BY seq
                """,
            "read attachments"
        ) { row in
            ComplaintAttachmentRecord(
                complaintID: try row.decode(column: "complaint_id", as: String.self),
                sequence: Int(try row.decode(column: "seq", as: Int64.self)),
                filename: try row.decode(column: "filename", as: String.self),
                contentType: try row.decode(column: "content_type", as: String.self),
                size: Int(try row.decode(column: "size", as: Int64.self)),
                sha256: try row.decode(column: "sha256", as: String.self),
                data: try Self.bytes(base64: try row.decode(column: "data", as: String.self))
            )
        }
    }
}
