import Foundation
import HeguiCore
package import HeguiStore
package import Logging
import NIOConcurrencyHelpers

/// The end-user gate of the request path (DESIGN "Flow of one chat request"; issue 6): before
/// moderation, a request passes the sanctions in force (IM-14.4), the service agreement (IM-9),
/// minors' mode (IM-10.3, OPS-6) and the rate limits and token budgets, all read from and counted
/// in the store so that replicas on one PostgreSQL agree. A request the gate cannot check (the
/// store is down) is refused.
package final class EndUserGate: Sendable {
    /// What the gate reads of a user.
    package struct UserState: Sendable {
        var record: EndUserRecord
        /// Sanctions in force when read.
        var sanctions: [SanctionRecord]
        /// Majors of the agreement versions the user accepted.
        var acceptedMajors: Set<Int>
    }

    /// What a request that passed carries on: the user group for the policy, and what the
    /// response should tell the app.
    package struct Admission: Sendable {
        package var pseudonym: String?
        /// The user group whose policy applies (`minors`), if any.
        package var group: String?
        /// A warning in force: responses carry it (`X-Hegui-Warning`).
        package var warning: SanctionRecord?
        /// The minors' band, seconds left today, and whether a break reminder is due.
        package var minorBand: String?
        package var remainingSeconds: Int?
        package var reminderDue = false
        /// Violations in a row before this request (a clean request resets them).
        var consecutiveViolations = 0
        package var day: Int

        package init(pseudonym: String?, day: Int) {
            self.pseudonym = pseudonym
            self.day = day
        }
    }

    let store: SQLStore
    let users: GatewayConfiguration.Users
    let cache: UserStateCache
    let ledger: UsageLedger
    let auditLog: AuditLog?
    let now: @Sendable () -> Int64
    let logger: Logger
    /// `audit.await_commit`: a refusal's event is committed before the refusal is sent.
    let awaitsCommit: Bool
    private let agreement = NIOLockedValueBox<(record: AgreementRecord?, expires: Int64)?>(nil)
    private let lastPurge = NIOLockedValueBox<Int64>(0)

    package init(
        store: SQLStore,
        users: GatewayConfiguration.Users,
        cache: UserStateCache,
        ledger: UsageLedger,
        auditLog: AuditLog?,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
        awaitsCommit: Bool = true
    ) {
        self.awaitsCommit = awaitsCommit
        self.store = store
        self.users = users
        self.cache = cache
        self.ledger = ledger
        self.auditLog = auditLog
        self.logger = logger
        self.now = now
    }

    private var zone: LocalTime { self.users.minors.zone }

    // MARK: Admission

    /// Checks a request of `tenant`'s user (`nil` when the request names none).
    /// - Throws: ``APIError`` `user_suspended`, `agreement_required`, `minor_curfew`,
    ///   `minor_time_limit`, `rate_limited`; a ``StoreError`` when the store cannot be read.
    package func admit(
        tenant: GatewayConfiguration.Tenant,
        pseudonym: String?,
        requestID: String
    ) async throws -> Admission {
        let time = self.now()
        var admission = Admission(pseudonym: pseudonym, day: self.zone.day(of: time))
        do {
            try await self.checkTenantLimits(tenant, at: time, day: admission.day)
            guard let pseudonym else { return admission }
            let state = try await self.state(tenant: tenant.id, pseudonym: pseudonym, at: time)
            admission.consecutiveViolations = state.record.consecutiveViolations

            // Sanctions (IM-14.4): termination and suspension refuse; a warning rides along.
            let binding = state.sanctions.filter { $0.isActive(at: time) }
            if let stop = binding.filter({ $0.level >= .suspension }).max(by: { $0.level < $1.level }) {
                let until = stop.level == .termination ? nil : stop.expiresAt
                throw APIError.userSuspended(
                    until: until.map(self.format),
                    reason: stop.reason,
                    retryAfter: until.map { Int(($0 - time + 999) / 1_000) }
                )
            }
            admission.warning = binding.first(where: { $0.level == .warning })
            let restricted = binding.contains(where: { $0.level == .restriction })

            // The service agreement (IM-9): the current major version must be accepted.
            if self.users.requireAgreement, let current = try await self.currentAgreement(at: time),
                !state.acceptedMajors.contains(current.major)
            {
                throw APIError.agreementRequired(version: current.version, url: self.users.agreementURL)
            }

            // Minors' mode (IM-10.3, OPS-6).
            let minors = self.users.minors
            let age = MinorsPolicy.Age(
                band: state.record.ageBand,
                birthYear: state.record.birthYear,
                isMinor: state.record.isMinor
            )
            if let band = minors.band(of: age, at: time) {
                admission.minorBand = band.name
                admission.group = minors.policySet(for: band)
                let used = try await self.store.usage(tenant: tenant.id, pseudonym: pseudonym, day: admission.day)
                switch minors.check(band: band, usedSeconds: used.activeSeconds, at: time) {
                case .curfew(_, let resumesAt):
                    throw APIError.minorCurfew(
                        resumesAt: self.format(resumesAt),
                        retryAfter: Int((resumesAt - time + 999) / 1_000)
                    )
                case .timeLimit(_, let resumesAt):
                    throw APIError.minorTimeLimit(
                        resumesAt: self.format(resumesAt),
                        retryAfter: Int((resumesAt - time + 999) / 1_000)
                    )
                case .allowed:
                    let after = try await self.store.recordActivity(
                        tenant: tenant.id,
                        pseudonym: pseudonym,
                        day: admission.day,
                        time: time,
                        idleGapMilliseconds: Int64(minors.idleGapSeconds) * 1_000,
                        sessionStartMilliseconds: Int64(minors.sessionStartSeconds) * 1_000
                    )
                    admission.reminderDue = minors.isReminderDue(before: used.activeSeconds, after: after.activeSeconds)
                    if let minutes = band.dailyMinutes {
                        admission.remainingSeconds = max(0, minutes * 60 - after.activeSeconds)
                    }
                }
            }

            // Per-user rate limit and token budget; a restricted user gets the lower limit.
            var perMinute = self.users.requestsPerMinute
            if restricted {
                perMinute = min(perMinute ?? Int.max, self.users.restrictedRequestsPerMinute)
            }
            if let perMinute {
                try await self.count(scope: "u:\(tenant.id):\(pseudonym)", limit: perMinute, at: time, label: "user")
            }
            if let budget = self.users.tokensPerDay {
                let used = try await self.ledger.usage(tenant: tenant.id, pseudonym: pseudonym, day: admission.day)
                if used.promptTokens + used.completionTokens >= budget {
                    throw APIError.rateLimited(retryAfter: self.secondsToNextDay(time), scope: "user_tokens_per_day")
                }
            }
            return admission
        } catch let error as APIError {
            await self.recordRefusal(error, tenant: tenant.id, pseudonym: pseudonym, requestID: requestID, time: time)
            throw error
        }
    }

    private func checkTenantLimits(_ tenant: GatewayConfiguration.Tenant, at time: Int64, day: Int) async throws {
        if let perMinute = tenant.requestsPerMinute {
            try await self.count(scope: "t:\(tenant.id)", limit: perMinute, at: time, label: "tenant")
        }
        if let budget = tenant.tokensPerDay {
            let used = try await self.ledger.usage(tenant: tenant.id, pseudonym: Self.tenantTotal, day: day)
            if used.promptTokens + used.completionTokens >= budget {
                throw APIError.rateLimited(retryAfter: self.secondsToNextDay(time), scope: "tenant_tokens_per_day")
            }
        }
    }

    /// The pseudonym under which a tenant's daily totals are kept.
    package static let tenantTotal = "*"

    private func count(scope: String, limit: Int, at time: Int64, label: String) async throws {
        let window = RateWindow(limit: limit)
        let (previous, current) = try await self.store.countRequest(scope: scope, window: window.window(of: time))
        self.purgeOldWindows(before: window.window(of: time) - 1)
        guard window.allows(previous: previous, current: current, at: time) else {
            throw APIError.rateLimited(
                retryAfter: window.retryAfterSeconds(previous: previous, current: current, at: time),
                scope: "\(label)_requests_per_minute"
            )
        }
    }

    /// Drops finished rate windows now and then (at most once a minute per replica).
    private func purgeOldWindows(before window: Int64) {
        let due = self.lastPurge.withLockedValue { last in
            guard window > last else { return false }
            last = window
            return true
        }
        guard due else { return }
        let store = self.store
        let logger = self.logger
        Task {
            do {
                try await store.purgeRateCounters(before: window)
            } catch {
                logger.warning("rate windows not purged", metadata: ["store.error": "\(error)"])
            }
        }
    }

    private func secondsToNextDay(_ time: Int64) -> Int {
        Int((self.zone.start(ofDay: self.zone.day(of: time) + 1) - time + 999) / 1_000)
    }

    /// The user's state: cached, or read (and the user recorded on first sight).
    func state(tenant: String, pseudonym: String, at time: Int64) async throws -> UserState {
        if let cached = self.cache.state(tenant: tenant, pseudonym: pseudonym, at: time) { return cached }
        // A user seen for the first time starts with the defaults and is written with the next
        // batch of usage.
        let record: EndUserRecord
        if let known = try await self.store.endUser(tenant: tenant, pseudonym: pseudonym) {
            record = known
        } else {
            record = EndUserRecord(tenant: tenant, pseudonym: pseudonym, firstSeen: time)
            self.ledger.noteNewUser(tenant: tenant, pseudonym: pseudonym, time: time)
        }
        // Most users were never sanctioned: their sanctions are not read.
        let sanctions =
            record.sanctionedAt == nil
            ? [] : try await self.store.activeSanctions(tenant: tenant, pseudonym: pseudonym, at: time)
        var majors = Set<Int>()
        if self.users.requireAgreement {
            for acceptance in try await self.store.acceptances(tenant: tenant, pseudonym: pseudonym) {
                if let major = AgreementVersion(acceptance.version)?.major { majors.insert(major) }
            }
        }
        let state = UserState(record: record, sanctions: sanctions, acceptedMajors: majors)
        self.cache.store(state, tenant: tenant, pseudonym: pseudonym, at: time)
        return state
    }

    /// The current agreement, read at most once per cache interval.
    func currentAgreement(at time: Int64) async throws -> AgreementRecord? {
        if let cached = self.agreement.withLockedValue({ $0 }), cached.expires > time { return cached.record }
        let record = try await self.store.currentAgreement()
        let lifetime = Int64(self.users.stateCacheMilliseconds)
        self.agreement.withLockedValue { $0 = (record, time + lifetime) }
        if record == nil {
            self.logger.warning("users.require_agreement is on but no agreement is published; requests pass")
        }
        return record
    }

    /// Drops the cached agreement (a new version was published through this replica).
    package func agreementChanged() {
        self.agreement.withLockedValue { $0 = nil }
    }

    // MARK: After the request

    /// Counts the request's use and ends a run of violations after a clean request.
    package func finish(
        _ admission: Admission,
        tenant: GatewayConfiguration.Tenant,
        promptTokens: Int,
        completionTokens: Int,
        violated: Bool
    ) async {
        let usage = UsageRecord(requests: 1, promptTokens: promptTokens, completionTokens: completionTokens)
        if tenant.tokensPerDay != nil || admission.pseudonym == nil {
            self.ledger.add(usage, tenant: tenant.id, pseudonym: Self.tenantTotal, day: admission.day)
        }
        guard let pseudonym = admission.pseudonym else { return }
        self.ledger.add(usage, tenant: tenant.id, pseudonym: pseudonym, day: admission.day)
        guard !violated, admission.consecutiveViolations > 0 else { return }
        do {
            try await self.store.resetConsecutiveViolations(tenant: tenant.id, pseudonym: pseudonym)
            self.cache.invalidate(tenant: tenant.id, pseudonym: pseudonym)
        } catch {
            self.logger.error("run of violations not reset", metadata: ["store.error": "\(error)"])
        }
    }

    /// A refusal by the gate is an audit event, committed before the refusal is sent (so a
    /// refusal the app received is on record) unless `audit.await_commit` is off (then queued);
    /// the request is refused whether or not it could be recorded.
    private func recordRefusal(
        _ error: APIError,
        tenant: String,
        pseudonym: String?,
        requestID: String,
        time: Int64
    ) async {
        guard let auditLog = self.auditLog else { return }
        let draft = AuditEventDraft(
            type: "user.refused",
            time: time,
            tenant: tenant,
            user: pseudonym,
            requestID: requestID,
            action: .block,
            details: ["code": error.code.rawValue]
        )
        let logger = self.logger
        let append = { @Sendable in
            do {
                _ = try await auditLog.append(draft)
            } catch {
                logger.error("gate refusal not recorded", metadata: ["audit.error": "\(error)"])
            }
        }
        if self.awaitsCommit { await append() } else { Task { await append() } }
    }

    /// `2026-11-29 06:00` in the gate's zone.
    func format(_ time: Int64) -> String {
        self.zone.text(of: time)
    }
}
