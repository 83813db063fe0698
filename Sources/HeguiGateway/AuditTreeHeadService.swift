import Foundation
import HeguiCore
package import HeguiStore
package import Logging
import ServiceLifecycle

/// Signs a tree head over the audit log on an interval and once more at shutdown, so that an
/// auditor always has a recent signed statement of the log (OPS-1, IM-19).
package struct AuditTreeHeadService: Service {
    package let log: AuditLog
    package let interval: Duration
    package let logger: Logger

    package init(log: AuditLog, interval: Duration, logger: Logger) {
        self.log = log
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        while true {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: self.interval)
                }
            } catch {
                break  // shutting down
            }
            await self.sign()
        }
        await self.sign()
    }

    private func sign() async {
        do {
            let head = try await self.log.signTreeHead(time: Int64(Date().timeIntervalSince1970 * 1000))
            self.logger.info("audit tree head signed", metadata: ["audit.tree_size": "\(head.treeSize)"])
        } catch {
            self.logger.error("audit tree head not signed", metadata: ["audit.error": "\(error)"])
        }
    }
}

/// Applies the retention rules at start and then every `interval`: erases evidence past its
/// period (IM-11: kept no longer than needed) and clears the metadata of audit events past theirs
/// (OPS-1: at least six months, then deleted per OPS-1.5), each purge an audit event of its own.
package struct EvidenceRetentionService: Service {
    package let log: AuditLog
    package let retentionDays: Int
    /// Days audit metadata is kept; `nil` keeps it for ever.
    package let metadataRetentionDays: Int?
    package let interval: Duration
    package let logger: Logger

    package init(
        log: AuditLog,
        retentionDays: Int,
        metadataRetentionDays: Int? = nil,
        interval: Duration,
        logger: Logger
    ) {
        self.log = log
        self.retentionDays = retentionDays
        self.metadataRetentionDays = metadataRetentionDays
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        while true {
            do {
                let count = try await self.log.purgeEvidence(
                    retentionDays: self.retentionDays,
                    now: Int64(Date().timeIntervalSince1970 * 1000)
                )
                if count > 0 {
                    self.logger.notice("evidence past retention erased", metadata: ["audit.erased": "\(count)"])
                }
            } catch {
                self.logger.error("evidence retention failed", metadata: ["audit.error": "\(error)"])
            }
            if let days = self.metadataRetentionDays {
                do {
                    let count = try await self.log.purgeMetadata(
                        retentionDays: days,
                        now: Int64(Date().timeIntervalSince1970 * 1000)
                    )
                    if count > 0 {
                        self.logger.notice(
                            "audit metadata past retention purged",
                            metadata: ["audit.purged": "\(count)"]
                        )
                    }
                } catch {
                    self.logger.error("audit metadata retention failed", metadata: ["audit.error": "\(error)"])
                }
            }
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: self.interval)
                }
            } catch {
                break  // shutting down
            }
        }
    }
}
