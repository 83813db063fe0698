package import AsyncHTTPClient
import Crypto
import Foundation
package import HeguiCore
package import HeguiStore
package import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Notifications to the provider's own systems (issue 7 item 5): new tickets, overdue tickets and
/// incidents, as JSON posted to one webhook. Each is written to the store's outbox first (so a
/// restart loses none, and each key is sent once), then delivered by ``WebhookDeliveryService``
/// with an HMAC-SHA256 signature and retried with exponential backoff.
package final class Notifications: Sendable {
    let store: SQLStore
    let logger: Logger
    let now: @Sendable () -> Int64

    package init(
        store: SQLStore,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.store = store
        self.logger = logger
        self.now = now
    }

    /// Queues `event` once per `key`. A failure to queue is logged, never passed to the caller:
    /// the ticket or incident itself is already recorded.
    package func notify(_ event: String, key: String, data: JSONObject) async {
        let time = self.now()
        let payload: JSONValue = [
            "event": .string(event), "key": .string(key), "time": .number(String(time)), "data": .object(data),
        ]
        do {
            _ = try await self.store.enqueueWebhook(
                WebhookMessageRecord(
                    id: "wh-" + UUID().uuidString.lowercased(),
                    dedupeKey: event + ":" + key,
                    event: event,
                    payload: payload.serialized,
                    createdAt: time
                )
            )
        } catch {
            self.logger.error(
                "notification not queued",
                metadata: ["event": .string(event), "store.error": "\(error)"]
            )
        }
    }
}

/// Delivers the outbox to the webhook: `POST` with `X-Hegui-Event`, `X-Hegui-Delivery` and
/// `X-Hegui-Signature: t=<ms>,v1=<hex HMAC-SHA256(secret, "<ms>.<body>")>`; a 2xx answer delivers,
/// anything else is retried after 2, 4, 8 … seconds (at most an hour apart), up to
/// `maximumAttempts`.
package struct WebhookDeliveryService: Service {
    let store: SQLStore
    let url: String
    let secret: [UInt8]
    let client: HTTPClient
    let interval: Duration
    let maximumAttempts: Int
    let logger: Logger
    let now: @Sendable () -> Int64

    package init(
        store: SQLStore,
        url: String,
        secret: [UInt8],
        client: HTTPClient,
        interval: Duration = .seconds(1),
        maximumAttempts: Int = 12,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.store = store
        self.url = url
        self.secret = secret
        self.client = client
        self.interval = interval
        self.maximumAttempts = maximumAttempts
        self.logger = logger
        self.now = now
    }

    /// The signature header's value for a body sent at `time`.
    package static func signature(body: String, time: Int64, secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(time).\(body)".utf8), using: SymmetricKey(data: secret))
        return "t=\(time),v1=" + HexEncoding.encode(Array(mac))
    }

    /// Sends what is due once; returns how many were delivered.
    @discardableResult
    package func deliverDue() async -> Int {
        let time = self.now()
        let due: [WebhookMessageRecord]
        do {
            due = try await self.store.dueWebhooks(at: time, limit: 50)
        } catch {
            self.logger.warning("notification outbox unreadable", metadata: ["store.error": "\(error)"])
            return 0
        }
        var delivered = 0
        for message in due {
            let attempts = message.attempts + 1
            var request = HTTPClientRequest(url: self.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Hegui-Event", value: message.event)
            request.headers.add(name: "X-Hegui-Delivery", value: message.id)
            request.headers.add(
                name: "X-Hegui-Signature",
                value: Self.signature(body: message.payload, time: time, secret: self.secret)
            )
            request.body = .bytes(ByteBuffer(string: message.payload))
            var failure: String?
            do {
                let response = try await self.client.execute(request, timeout: .seconds(10))
                _ = try? await response.body.collect(upTo: 64 << 10)
                if !(200..<300).contains(response.status.code) { failure = "HTTP \(response.status.code)" }
            } catch {
                failure = "\(type(of: error))"
            }
            do {
                if let failure {
                    let next =
                        attempts >= self.maximumAttempts
                        ? nil : time + Int64(min(3_600, 1 << min(attempts, 12))) * 1_000
                    try await self.store.markWebhookFailed(
                        id: message.id,
                        attempts: attempts,
                        next: next,
                        error: failure
                    )
                    self.logger.warning(
                        next == nil ? "notification given up" : "notification failed; will retry",
                        metadata: ["event": .string(message.event), "error": .string(failure)]
                    )
                } else {
                    try await self.store.markWebhookDelivered(id: message.id, at: time, attempts: attempts)
                    delivered += 1
                }
            } catch {
                self.logger.error("notification outcome not recorded", metadata: ["store.error": "\(error)"])
            }
        }
        return delivered
    }

    package func run() async throws {
        while true {
            await self.deliverDue()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
        }
    }
}
