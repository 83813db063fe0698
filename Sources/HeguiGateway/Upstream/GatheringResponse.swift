package import AsyncHTTPClient
import NIOConcurrencyHelpers
package import NIOCore
package import NIOHTTP1

/// A streamed upstream response received through AsyncHTTPClient's delegate interface, handed on
/// a socket read at a time.
///
/// A model that streams quickly sends many small chunks (one per token); a read from the socket
/// takes several, and the client delivers them as separate body parts. Relayed one by one, each
/// would cost the gateway a write to the app, which under load is most of a stream's CPU. Here
/// the parts of one read are appended to one buffer, and the relay is woken once they are all
/// in: the event loop runs the wake-up after it has delivered the read, so nothing waits for
/// later bytes, and a slow stream (a token a read) passes through exactly as before.
///
/// Back-pressure: above `highWater` buffered bytes the client stops reading the socket until the
/// relay takes them.
package final class GatheringResponse: HTTPClientResponseDelegate, Sendable {
    package typealias Response = Void

    private struct State {
        var head: Result<HTTPResponseHead, any Error>?
        var headWaiter: CheckedContinuation<HTTPResponseHead, any Error>?
        var pending = ByteBuffer()
        var end: Result<Void, any Error>?
        var reader: CheckedContinuation<Void, Never>?
        var wakeScheduled = false
        /// Completed when the relay takes the buffer: the client reads the socket again.
        var space: EventLoopPromise<Void>?
        var task: HTTPClient.Task<Void>?
        /// Fails the task if the head has not come by then.
        var headDeadline: Scheduled<Void>?
        var isCancelled = false
    }

    private let state = NIOLockedValueBox(State())
    private let highWater: Int

    package init(highWater: Int = 256 << 10) {
        self.highWater = highWater
    }

    /// Attaches the client's task, which ``cancel()`` stops, and fails it with
    /// `HTTPClientError.deadlineExceeded` unless the head arrives within `headTimeout`.
    ///
    /// The deadline is settled on the task's event loop, where the head is delivered: a head that
    /// came in time stops it, however long the caller of ``head()`` takes to resume (on a busy
    /// machine that can be seconds, and the stream must not be cut for it).
    package func attach(_ task: HTTPClient.Task<Void>, headTimeout: TimeAmount) {
        let deadline = task.eventLoop.scheduleTask(in: headTimeout) {
            let waiting = self.state.withLockedValue { $0.head == nil }
            if waiting { task.fail(reason: HTTPClientError.deadlineExceeded) }
        }
        let cancelled = self.state.withLockedValue { state in
            state.task = task
            state.headDeadline = deadline
            return state.isCancelled
        }
        if cancelled { task.cancel() }
    }

    /// Whether the response head has arrived (whether or not anyone has read it yet).
    package var hasReceivedHead: Bool {
        self.state.withLockedValue { state in
            if case .success = state.head { return true }
            return false
        }
    }

    /// Waits for the response head.
    package func head() async throws -> HTTPResponseHead {
        try await withCheckedThrowingContinuation { continuation in
            let head = self.state.withLockedValue { state in
                if state.head == nil { state.headWaiter = continuation }
                return state.head
            }
            if let head { continuation.resume(with: head) }
        }
    }

    /// The next buffer: every byte received since the last call, `nil` at the end.
    /// - Throws: the client's error when the response broke off; `CancellationError` once cancelled.
    package func next() async throws -> ByteBuffer? {
        enum Step {
            case bytes(ByteBuffer, EventLoopPromise<Void>?)
            case end(Result<Void, any Error>)
            case cancelled
            case wait
        }
        while true {
            let step = self.state.withLockedValue { state -> Step in
                if state.isCancelled { return .cancelled }
                if state.pending.readableBytes > 0 {
                    let bytes = state.pending
                    state.pending = ByteBuffer()
                    defer { state.space = nil }
                    return .bytes(bytes, state.space)
                }
                if let end = state.end { return .end(end) }
                return .wait
            }
            switch step {
            case .bytes(let bytes, let space):
                space?.succeed()
                return bytes
            case .end(let end):
                try end.get()
                return nil
            case .cancelled:
                throw CancellationError()
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let ready = self.state.withLockedValue { state in
                            let ready = state.isCancelled || state.pending.readableBytes > 0 || state.end != nil
                            if !ready { state.reader = continuation }
                            return ready
                        }
                        if ready { continuation.resume() }
                    }
                } onCancel: {
                    self.cancel()
                }
            }
        }
    }

    /// Stops the response: the client closes the connection (so the model stops generating), a
    /// waiting reader gets `CancellationError`. A response that has ended is left alone (its
    /// connection may already serve another request).
    package func cancel() {
        let (task, reader, space) = self.state.withLockedValue {
            state -> (HTTPClient.Task<Void>?, CheckedContinuation<Void, Never>?, EventLoopPromise<Void>?) in
            state.isCancelled = true
            defer {
                state.reader = nil
                state.space = nil
            }
            return (state.end == nil ? state.task : nil, state.reader, state.space)
        }
        reader?.resume()
        space?.fail(CancellationError())
        task?.cancel()
    }

    // MARK: HTTPClientResponseDelegate (called on the task's event loop)

    package func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let (waiter, deadline) = self.state.withLockedValue {
            state -> (CheckedContinuation<HTTPResponseHead, any Error>?, Scheduled<Void>?) in
            state.head = .success(head)
            defer {
                state.headWaiter = nil
                state.headDeadline = nil
            }
            return (state.headWaiter, state.headDeadline)
        }
        deadline?.cancel()
        waiter?.resume(returning: head)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    package func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let (wake, space) = self.state.withLockedValue { state -> (Bool, EventLoopPromise<Void>?) in
            state.pending.writeImmutableBuffer(buffer)
            let wake = self.scheduleWake(&state)
            guard state.pending.readableBytes >= self.highWater, !state.isCancelled else { return (wake, nil) }
            let space = task.eventLoop.makePromise(of: Void.self)
            state.space = space
            return (wake, space)
        }
        if wake { task.eventLoop.execute { self.wakeReader() } }
        return space?.futureResult ?? task.eventLoop.makeSucceededVoidFuture()
    }

    package func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        let wake = self.state.withLockedValue { state in
            state.end = .success(())
            return self.scheduleWake(&state)
        }
        if wake { task.eventLoop.execute { self.wakeReader() } }
    }

    package func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        typealias Waiting = (
            head: CheckedContinuation<HTTPResponseHead, any Error>?,
            deadline: Scheduled<Void>?,
            reader: CheckedContinuation<Void, Never>?,
            space: EventLoopPromise<Void>?
        )
        let (headWaiter, deadline, reader, space) = self.state.withLockedValue { state -> Waiting in
            if state.head == nil {
                state.head = .failure(error)
                defer {
                    state.headWaiter = nil
                    state.headDeadline = nil
                }
                return (state.headWaiter, state.headDeadline, nil, nil)
            }
            if state.end == nil { state.end = .failure(error) }
            defer {
                state.reader = nil
                state.space = nil
            }
            return (nil, nil, state.reader, state.space)
        }
        deadline?.cancel()
        headWaiter?.resume(throwing: error)
        reader?.resume()
        space?.fail(error)
    }

    /// Whether the caller must schedule ``wakeReader()``: a reader waits and no wake-up is queued.
    private func scheduleWake(_ state: inout State) -> Bool {
        guard state.reader != nil, !state.wakeScheduled else { return false }
        state.wakeScheduled = true
        return true
    }

    private func wakeReader() {
        let reader = self.state.withLockedValue { state in
            state.wakeScheduled = false
            defer { state.reader = nil }
            return state.reader
        }
        reader?.resume()
    }
}

/// The body of a ``GatheringResponse`` for ``UpstreamBody``. Like the client's own body, it stops
/// the response when dropped before the end: when its iterator goes (a stream the gateway
/// stopped), or when the body goes without ever being read (an app that left before its answer
/// was relayed), so no upstream connection is left waiting for a reader.
struct GatheredBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    private let subscription: Subscription

    init(response: GatheringResponse) {
        self.subscription = Subscription(response: response)
    }

    func makeAsyncIterator() -> Iterator { Iterator(subscription: Subscription(response: self.subscription.response)) }

    /// Stops the response when the last copy of its holder goes (a no-op once it has ended).
    final class Subscription: Sendable {
        let response: GatheringResponse
        init(response: GatheringResponse) { self.response = response }
        deinit { self.response.cancel() }
    }

    struct Iterator: AsyncIteratorProtocol {
        let subscription: Subscription

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await self.subscription.response.next()
            } catch {
                throw HTTPModelUpstream.translateBody(error)
            }
        }
    }
}
