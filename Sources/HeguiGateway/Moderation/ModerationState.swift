import Foundation
package import HeguiCore
package import HeguiStore
package import Logging
import NIOConcurrencyHelpers
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// The moderation engine in use, swapped whole when the lexicons or policies are reloaded.
///
/// A reload reads and compiles the files on NIO's blocking thread pool, off the event loops that
/// serve requests; requests keep using the old engine until the new one is swapped in, and a
/// reload that fails (a bad line in a lexicon) leaves the old engine in place.
package final class ModerationState: Sendable {
    private let current: NIOLockedValueBox<(engine: ModerationEngine, version: String)>
    /// Where the lexicons and policies are read from.
    package let configuration: GatewayConfiguration.Moderation

    package init(_ loaded: ModerationLoader.Loaded, configuration: GatewayConfiguration.Moderation) {
        self.current = NIOLockedValueBox((loaded.engine, loaded.version))
        self.configuration = configuration
    }

    /// The engine to check a request with.
    package var engine: ModerationEngine {
        self.current.withLockedValue { $0.engine }
    }

    /// The engine and the version of its rules, read together.
    package var snapshot: (engine: ModerationEngine, version: String) {
        self.current.withLockedValue { $0 }
    }

    /// Reads and compiles the files again and swaps the result in.
    /// - Throws: ``ModerationLoadError``; the engine in use stays.
    @discardableResult
    package func reload() async throws -> ModerationLoader.Loaded {
        let configuration = self.configuration
        let loaded = try await NIOThreadPool.singleton.runIfActive {
            try ModerationLoader.load(configuration)
        }
        self.current.withLockedValue { $0 = (loaded.engine, loaded.version) }
        return loaded
    }
}

/// Reloads the moderation engine on SIGHUP (`kill -HUP <pid>`), until shutdown.
package struct ModerationReloadService: Service {
    package let state: ModerationState
    package let logger: Logger
    /// Where reloads are recorded, when the gateway keeps an audit log.
    package let auditLog: AuditLog?

    /// SIGHUP, trapped from the moment the service is made: a reload requested as soon as the
    /// server says it is listening must not meet the signal's default action (ending the process).
    private let signals: UnixSignalsSequence

    package init(state: ModerationState, logger: Logger, auditLog: AuditLog? = nil) async {
        self.state = state
        self.logger = logger
        self.auditLog = auditLog
        self.signals = await UnixSignalsSequence(trapping: .sighup)
    }

    package func run() async throws {
        for await _ in self.signals.cancelOnGracefulShutdown() {
            do {
                let loaded = try await self.state.reload()
                // Recorded first, so that the log line also says the event is on disk.
                await self.record(
                    "moderation.reloaded",
                    details: [
                        "terms": String(loaded.engine.lexicon.entries.count),
                        "files": String(loaded.files.count),
                        "policies": String(loaded.engine.policies.policies.count),
                        "policy_version": loaded.version,
                    ]
                )
                self.logger.notice(
                    "moderation reloaded",
                    metadata: ModerationReloadService.metadata(loaded)
                )
            } catch {
                self.logger.error(
                    "moderation reload failed; the previous lexicons and policies stay in use",
                    metadata: ["moderation.error": .string("\(error)")]
                )
                await self.record("moderation.reload_failed", details: [:])
            }
        }
    }

    private func record(_ type: String, details: [String: String]) async {
        guard let auditLog = self.auditLog else { return }
        do {
            _ = try await auditLog.append(
                AuditEventDraft(type: type, time: Int64(Date().timeIntervalSince1970 * 1000), details: details)
            )
        } catch {
            self.logger.error("audit event not recorded", metadata: ["audit.error": .string("\(error)")])
        }
    }

    /// Log metadata describing a load (counts only, never terms).
    package static func metadata(_ loaded: ModerationLoader.Loaded) -> Logger.Metadata {
        [
            "moderation.terms": .stringConvertible(loaded.engine.lexicon.entries.count),
            "moderation.files": .stringConvertible(loaded.files.count),
            "moderation.diagnostics": .stringConvertible(loaded.diagnostics.count),
            "moderation.policies": .stringConvertible(loaded.engine.policies.policies.count),
            "moderation.build_ms": .stringConvertible(Int(loaded.buildSeconds * 1000)),
        ]
    }
}
