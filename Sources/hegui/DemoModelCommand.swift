import ArgumentParser
import HeguiGateway
import Hummingbird
import Logging
import NIOCore

/// `hegui demo-model`: serves the built-in demo model on its own port, as a stand-in upstream.
struct DemoModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-model",
        abstract: "Serve the built-in demo model as a standalone OpenAI-compatible upstream.",
        discussion: "For trials and benchmarks: point a gateway's HEGUI_UPSTREAM_URL at http://HOST:PORT/v1."
    )

    @Option(help: "Interface to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 9090

    @Option(name: .customLong("chunk-chars"), help: "Characters per streamed chunk.")
    var chunkCharacters = 4

    @Option(name: .customLong("chunk-delay-ms"), help: "Pause between streamed chunks, in milliseconds.")
    var chunkDelayMilliseconds = 15

    @Option(name: .customLong("min-reply-bytes"), help: "Pad replies to at least this many bytes (for benchmarks).")
    var minimumReplyBytes = 0

    func run() async throws {
        var logger = Logger(label: "hegui.demo-model")
        logger.logLevel = .warning
        let host = self.host
        let app = ModelServer.buildApplication(
            model: DemoModel(
                chunkCharacters: self.chunkCharacters,
                chunkDelay: .milliseconds(self.chunkDelayMilliseconds),
                minimumReplyBytes: self.minimumReplyBytes
            ),
            host: host,
            port: self.port,
            logger: logger,
            onServerRunning: { channel in
                print("Demo model listening on http://\(host):\(channel.localAddress?.port ?? 0)/v1")
            }
        )
        try await app.runService()
    }
}
