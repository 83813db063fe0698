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
