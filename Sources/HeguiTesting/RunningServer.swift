package import HeguiGateway
package import Hummingbird
package import Logging
package import NIOCore
import ServiceLifecycle

/// Runs an application on a real loopback port for the duration of `body`, then shuts it down
/// gracefully (cancelling what is still running two seconds later).
///
/// - Parameters:
///   - makeApplication: builds the application, given the callback that learns the bound port.
///   - body: the test, given the port.
package func withRunningServer<App: ApplicationProtocol, Result: Sendable>(
    logger: Logger = Logger(label: "hegui.test.server"),
    _ makeApplication: (@escaping @Sendable (any Channel) async -> Void) -> App,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    let ports = AsyncStream<Int>.makeStream()
    let app = makeApplication { channel in
        ports.continuation.yield(channel.localAddress?.port ?? 0)
    }
    var configuration = ServiceGroupConfiguration(services: [app], logger: logger)
    // A scripted upstream may hold a request open forever; shutdown must not wait on it.
    configuration.maximumGracefulShutdownDuration = .seconds(2)
    let group = ServiceGroup(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            throw CancellationError()
        }
        do {
            let result = try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            throw error
        }
    }
}

/// Runs `model` as an OpenAI-compatible server on a free loopback port while `body` runs with
/// that port: the real HTTP upstream that live tests put a gateway in front of.
package func withModelServer<Result: Sendable>(
    _ model: any ModelUpstream,
    onRequest: @escaping @Sendable (Request) -> Void = { _ in },
    _ body: (Int) async throws -> Result
) async throws -> Result {
    let makeServer = { (onRunning: @escaping @Sendable (any Channel) async -> Void) in
        ModelServer.buildApplication(
            model: model,
            host: "127.0.0.1",
            port: 0,
            logger: Logger(label: "test.model"),
            onRequest: onRequest,
            onServerRunning: onRunning
        )
    }
    return try await withRunningServer(makeServer, body)
}
