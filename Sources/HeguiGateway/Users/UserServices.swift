import Foundation
import HeguiCore
package import HeguiStore
package import Logging

/// The parts of the gateway that keep the provider's duties toward end users (issue 6), built
/// once over one store and audit log and shared by the request path, the app API and the admin API.
package struct UserServices: Sendable {
    package var directory: TenantDirectory
    package var gate: EndUserGate
    package var sanctions: SanctionService
    package var users: EndUserService
    package var ledger: UsageLedger
    package var complaints: ComplaintService
    package var takedowns: TakedownService
    /// The webhook outbox, when a webhook is configured.
    package var notifications: Notifications?
    /// The deployment's key for pseudonyms, digests and CSRF tokens.
    package var key: [UInt8]
    package var store: SQLStore

    /// - Parameter now: the clock (tests inject one for curfews and days).
    package init(
        configuration: GatewayConfiguration,
        tenants: [GatewayConfiguration.Tenant],
        store: SQLStore,
        auditLog: AuditLog?,
        pseudonymKey: [UInt8],
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        let settings = configuration.users
        let cache = UserStateCache(lifetimeMilliseconds: settings.stateCacheMilliseconds)
        let ledger = UsageLedger(store: store, flushMilliseconds: settings.usageFlushMilliseconds, logger: logger)
        self.ledger = ledger
        self.store = store
        self.directory = TenantDirectory(
            configured: tenants,
            store: store,
            cacheMilliseconds: settings.stateCacheMilliseconds
        )
        self.gate = EndUserGate(
            store: store,
            users: settings,
            cache: cache,
            ledger: ledger,
            auditLog: auditLog,
            logger: logger,
            now: now,
            awaitsCommit: configuration.audit.awaitCommit
        )
        self.sanctions = SanctionService(
            store: store,
            auditLog: auditLog,
            ladder: settings.sanctions,
            zone: settings.minors.zone,
            cache: cache,
            logger: logger
        )
        var complaintSettings = ComplaintService.Settings()
        complaintSettings.feedbackWorkingDays = configuration.complaints.feedbackWorkingDays
        complaintSettings.submissionsPerHour = configuration.complaints.submissionsPerHour
        complaintSettings.calendar = settings.calendar
        complaintSettings.zone = settings.minors.zone
        self.key = pseudonymKey
        let notifications =
            configuration.complaints.webhookURL == nil ? nil : Notifications(store: store, logger: logger, now: now)
        self.notifications = notifications
        self.complaints = ComplaintService(
            store: store,
            auditLog: auditLog,
            settings: complaintSettings,
            key: pseudonymKey,
            sanctions: self.sanctions,
            notifications: notifications,
            logger: logger,
            now: now
        )
        self.takedowns = TakedownService(
            store: store,
            auditLog: auditLog,
            sanctions: self.sanctions,
            complaints: self.complaints,
            notifications: notifications,
            trainingConsentDefault: settings.trainingConsentDefault,
            logger: logger,
            now: now
        )
        self.users = EndUserService(
            store: store,
            auditLog: auditLog,
            users: settings,
            cache: cache,
            ledger: ledger,
            pseudonymKey: pseudonymKey,
            logger: logger,
            now: now
        )
    }
}
