package import CoreMetrics
import Foundation
import HeguiCore
import HeguiStore
package import Logging
import ServiceLifecycle

/// Keeps the complaint time limits visible in `/metrics` (issue 7 item 3; IM-15):
/// `hegui_complaints_open` (not yet decided) and `hegui_complaints_overdue` (past their feedback
/// time limit undecided), recounted every interval from the store, so every replica reports the
/// same numbers.
package struct ComplaintSLAService: Service {
    let complaints: ComplaintService
    let open: Gauge
    let overdue: Gauge
    let interval: Duration
    let logger: Logger

    package init(complaints: ComplaintService, factory: any MetricsFactory, interval: Duration, logger: Logger) {
        self.complaints = complaints
        self.open = Gauge(label: "hegui_complaints_open", factory: factory)
        self.overdue = Gauge(label: "hegui_complaints_overdue", factory: factory)
        self.interval = interval
        self.logger = logger
    }

    /// Recounts once.
    package func update() async {
        do {
            let tickets = try await self.complaints.list(status: nil, overdueOnly: false, limit: 100_000)
            self.open.record(tickets.filter { !$0.0.status.isDecided }.count)
            self.overdue.record(tickets.filter(\.1).count)
            // Each ticket that falls overdue is announced once.
            for (complaint, _) in tickets.filter(\.1) {
                await self.complaints.notifications?.notify(
                    "complaint.overdue",
                    key: complaint.id,
                    data: ComplaintService.summary(complaint)
                )
            }
        } catch {
            self.logger.warning("complaint counts not refreshed", metadata: ["store.error": "\(error)"])
        }
    }

    package func run() async throws {
        while true {
            await self.update()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return  // shutting down
            }
        }
    }
}
