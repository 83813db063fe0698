import Foundation
package import HeguiCore
package import HeguiStore
package import Logging
import NIOConcurrencyHelpers

/// What the request path needs to enforce moderation (issue 5): the engine in force, which roles
/// to check, and where decisions are recorded.
package struct Enforcement: Sendable {
    package var moderation: ModerationState
    /// Message roles checked on input; `nil` for every role.
    package var inputRoles: Set<String>?
    package var recorder: DecisionRecorder
    /// Classifier models beside the lexicon; `nil` when none are configured.
    package var classifiers: ClassifierSet?
    /// The end-user gate (agreements, minors, sanctions, quotas); `nil` without a store.
    package var gate: EndUserGate?

    package init(
        moderation: ModerationState,
        inputRoles: Set<String>? = nil,
        recorder: DecisionRecorder,
        classifiers: ClassifierSet? = nil,
        gate: EndUserGate? = nil
    ) {
        self.moderation = moderation
        self.inputRoles = inputRoles
        self.recorder = recorder
        self.classifiers = classifiers?.isEmpty == false ? classifiers : nil
        self.gate = gate
    }
}

/// Records every moderation decision in the audit log (issue 5 item 6; IM-14, OPS-1, IM-11).
///
/// Each event names the tenant, the end user's pseudonym, the request id, the action, the risks,
/// the policy version and a salted digest of the text checked. The text itself is kept only as
/// evidence of a violation (flag, redact, block, or a stream stopped), beside the event, for the
/// evidence retention period; ordinary allowed traffic stores no content.
///
/// A violation is recorded durably before the gateway answers, and a request whose violation
/// cannot be recorded is refused (503 `audit_unavailable`). An allowed decision is too unless
/// `audit.await_commit` is off; then it is queued for the next group commit without holding the
/// request up.
package final class DecisionRecorder: Sendable {
    private let auditLog: AuditLog?
    private let store: SQLStore?
    private let key: [UInt8]
    private let logger: Logger
    private let remembered = NIOLockedValueBox(Set<String>())
    private let sanctions: SanctionService?
    private let ledger: UsageLedger?
    private let now: @Sendable () -> Int64
    private let awaitsCommit: Bool

    /// - Parameters:
    ///   - auditLog: where decisions go; `nil` records nothing (tests of other concerns).
    ///   - store: where pseudonyms are mapped back to users for user-rights requests.
    ///   - key: the deployment's secret for pseudonyms and content digests.
    ///   - sanctions: the ladder a refusal climbs; `nil` counts violations only.
    ///   - ledger: where pseudonym mappings are batched; `nil` writes each at once.
    ///   - now: the clock (tests inject one).
    ///   - awaitsCommit: whether an allowed decision is committed before the answer goes out
    ///     (`audit.await_commit`); violations always are.
    package init(
        auditLog: AuditLog?,
        store: SQLStore?,
        key: [UInt8],
        logger: Logger,
        sanctions: SanctionService? = nil,
        ledger: UsageLedger? = nil,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
        awaitsCommit: Bool = true
    ) {
        self.awaitsCommit = awaitsCommit
        self.ledger = ledger
        self.auditLog = auditLog
        self.store = store
        self.key = key
        self.logger = logger
        self.sanctions = sanctions
        self.now = now
    }

    /// The pseudonym of a tenant's end user, without remembering the mapping.
    package func pseudonymOnly(tenant: String, user: String) -> String {
        UserPseudonym.make(tenant: tenant, user: user, key: self.key)
    }

    /// A recorder that records nothing.
    package static func none(logger: Logger = Logger(label: "hegui")) -> DecisionRecorder {
        DecisionRecorder(auditLog: nil, store: nil, key: UserPseudonym.makeKey(), logger: logger)
    }

    /// The pseudonym of a tenant's end user, remembered once per process for user-rights requests.
    package func pseudonym(tenant: String, user: String?) async -> String? {
        guard let user else { return nil }
        let pseudonym = UserPseudonym.make(tenant: tenant, user: user, key: self.key)
        let isNew = self.remembered.withLockedValue { seen in
            if seen.count > 100_000 { seen.removeAll() }
            return seen.insert(pseudonym).inserted
        }
        if isNew, let ledger = self.ledger {
            ledger.notePseudonym(pseudonym, tenant: tenant, user: user, time: self.now())
        } else if isNew, let store = self.store {
            do {
                try await store.rememberPseudonym(
                    pseudonym,
                    tenant: tenant,
                    user: user,
                    time: Int64(Date().timeIntervalSince1970 * 1000)
                )
            } catch {
                _ = self.remembered.withLockedValue { $0.remove(pseudonym) }
                self.logger.error("pseudonym not recorded", metadata: ["store.error": "\(error)"])
            }
        }
        return pseudonym
    }

    /// One decision to record.
    package struct Decision: Sendable {
        /// `moderation.input`, `moderation.output`, `moderation.check`, …
        package var type: String
        package var tenant: String
        package var user: String?
        package var requestID: String
        package var action: ModerationAction
        package var risks: [RiskCode]
        /// The text checked (digested; kept as evidence only when `isViolation`).
        package var text: String
        /// The offending text, kept as evidence.
        package var evidence: String?
        package var details: [String: String]

        package init(
            type: String,
            tenant: String,
            user: String?,
            requestID: String,
            action: ModerationAction,
            risks: [RiskCode],
            text: String,
            evidence: String?,
            details: [String: String]
        ) {
            self.type = type
            self.tenant = tenant
            self.user = user
            self.requestID = requestID
            self.action = action
            self.risks = risks
            self.text = text
            self.evidence = evidence
            self.details = details
        }

        /// Anything but a plain allow is a violation to keep evidence of.
        package var isViolation: Bool { self.action != .allow || self.details["stopped"] == "true" }
    }

    /// Records a decision durably: it returns once the event is committed (group commit shares
    /// the disk sync among concurrent requests), so an answer the app received always has its
    /// event, even when the replica is killed the moment after (OPS-1). With `audit.await_commit`
    /// off, an allowed decision is queued instead; a violation is always committed first.
    /// - Throws: ``APIError`` `audit_unavailable` when the decision cannot be recorded: an answer
    ///   with no record is not handed out (fail-closed).
    package func record(_ decision: Decision) async throws {
        guard let auditLog = self.auditLog else { return }
        let draft = AuditEventDraft(
            type: decision.type,
            time: self.now(),
            tenant: decision.tenant,
            user: decision.user,
            requestID: decision.requestID,
            action: decision.action,
            risks: decision.risks,
            contentDigest: decision.text.isEmpty ? nil : ContentDigest.hex(of: decision.text, key: self.key),
            details: decision.details,
            evidence: decision.isViolation ? (decision.evidence ?? decision.text) : nil
        )
        guard decision.isViolation || self.awaitsCommit else {
            let logger = self.logger
            Task {
                do {
                    _ = try await auditLog.append(draft)
                } catch {
                    logger.error("moderation decision not recorded", metadata: ["audit.error": "\(error)"])
                }
            }
            return
        }
        let event: AuditEvent
        do {
            event = try await auditLog.append(draft)
        } catch {
            self.logger.error(
                "moderation decision not recorded; request refused",
                metadata: ["audit.error": "\(error)", "audit.violation": "\(decision.isViolation)"]
            )
            throw APIError.auditUnavailable()
        }
        guard decision.isViolation else { return }
        // A refusal counts against the end user for the sanctions ladder (IM-14.4, TC-7.7).
        if decision.action == .block, let user = decision.user, let store = self.store {
            do {
                try await store.recordViolation(
                    ViolationRecord(
                        id: UUID().uuidString,
                        tenant: decision.tenant,
                        pseudonym: user,
                        time: event.time,
                        risks: decision.risks,
                        auditSequence: event.sequence
                    )
                )
                try await self.sanctions?.afterViolation(tenant: decision.tenant, pseudonym: user, at: event.time)
            } catch {
                self.logger.error("violation not counted", metadata: ["store.error": "\(error)"])
            }
        }
    }

    /// Records a classifier's failure (`moderation.classifier_error`): which classifier, why, and
    /// whether the text was refused for it (fail-closed) or let through (fail-open).
    package func recordClassifierFailure(
        classifier: String,
        failure: ClassifierFailure,
        refuses: Bool,
        direction: ModerationDirection,
        tenant: String,
        user: String?,
        requestID: String,
        policyVersion: String
    ) async {
        guard let auditLog = self.auditLog else { return }
        do {
            _ = try await auditLog.append(
                AuditEventDraft(
                    type: "moderation.classifier_error",
                    time: Int64(Date().timeIntervalSince1970 * 1000),
                    tenant: tenant,
                    user: user,
                    requestID: requestID,
                    action: refuses ? .block : .allow,
                    details: [
                        "classifier": classifier, "error": failure.kind.rawValue, "direction": direction.rawValue,
                        "on_failure": refuses ? "block" : "allow", "policy_version": policyVersion,
                    ]
                )
            )
        } catch {
            self.logger.error("classifier failure not recorded", metadata: ["audit.error": "\(error)"])
        }
    }
}
