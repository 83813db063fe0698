package import HeguiCore

/// An app of the provider's that calls the gateway (DESIGN "Admin API": tenants and keys).
package struct TenantRecord: Sendable, Hashable {
    package var id: String
    package var name: String
    /// The moderation policy set the tenant's traffic runs under; `nil` for the default.
    package var policySet: String?
    /// Request rate allowed per minute; `nil` for no limit.
    package var requestsPerMinute: Int?
    /// Tokens (prompt and completion) allowed per day; `nil` for no budget.
    package var tokensPerDay: Int?
    /// Where the tenant's chat answers carry the explicit label (`start`, `end`, `both`,
    /// `conversation`, `interface`); `nil` for the gateway's `labels.chat_placement`.
    package var labelPlacement: String?
    /// The explicit label's text; `nil` for the gateway's `labels.chat_text`.
    package var labelText: String?
    package var createdAt: Int64
    /// When the tenant was disabled; its keys then stop working.
    package var disabledAt: Int64?

    package init(
        id: String,
        name: String,
        policySet: String? = nil,
        requestsPerMinute: Int? = nil,
        tokensPerDay: Int? = nil,
        labelPlacement: String? = nil,
        labelText: String? = nil,
        createdAt: Int64,
        disabledAt: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.policySet = policySet
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerDay = tokensPerDay
        self.labelPlacement = labelPlacement
        self.labelText = labelText
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}

/// A tenant's API key, kept as its SHA-256 only: the key itself is shown once at creation.
package struct APIKeyRecord: Sendable, Hashable {
    package var id: String
    package var tenant: String
    /// Lower-case hex SHA-256 of the key (``APIKeyDigest``).
    package var keySHA256: String
    /// The key's first characters, so that an operator can tell keys apart.
    package var hint: String
    package var label: String?
    package var createdAt: Int64
    package var revokedAt: Int64?

    package init(
        id: String,
        tenant: String,
        keySHA256: String,
        hint: String,
        label: String? = nil,
        createdAt: Int64,
        revokedAt: Int64? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.keySHA256 = keySHA256
        self.hint = hint
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// End users counted (``EndUserStore/endUserCounts(tenant:)``).
package struct EndUserCounts: Sendable, Hashable {
    package var total: Int
    package var verified: Int
    package var minors: Int

    package init(total: Int, verified: Int, minors: Int) {
        self.total = total
        self.verified = verified
        self.minors = minors
    }
}

/// An end user of a tenant, known by a pseudonym (IM-11), with the attributes the provider's app
/// sets: age (IM-10, OPS-6), real-identity verification (OPS-2), consent to training use (TC-7.3).
package struct EndUserRecord: Sendable, Hashable {
    package var tenant: String
    package var pseudonym: String
    package var firstSeen: Int64
    package var birthYear: Int?
    /// An age band the app set directly (a name of the minors' policy, or `adult`).
    package var ageBand: String?
    /// Whether the user is a minor, as the app asserts; `nil` when unknown.
    package var isMinor: Bool?
    package var identityVerified: Bool
    /// Consent to use the user's inputs for training; `nil` leaves the configured default.
    package var trainingConsent: Bool?
    package var locale: String?
    package var updatedAt: Int64
    /// Violations since the user's last clean request (TC-7.7 "in a row"); kept by the store.
    package var consecutiveViolations: Int
    /// When a sanction was last imposed on the user; kept by the store.
    package var sanctionedAt: Int64?

    package init(
        tenant: String,
        pseudonym: String,
        firstSeen: Int64,
        birthYear: Int? = nil,
        ageBand: String? = nil,
        isMinor: Bool? = nil,
        identityVerified: Bool = false,
        trainingConsent: Bool? = nil,
        locale: String? = nil,
        updatedAt: Int64? = nil,
        consecutiveViolations: Int = 0,
        sanctionedAt: Int64? = nil
    ) {
        self.sanctionedAt = sanctionedAt
        self.tenant = tenant
        self.pseudonym = pseudonym
        self.firstSeen = firstSeen
        self.birthYear = birthYear
        self.ageBand = ageBand
        self.consecutiveViolations = consecutiveViolations
        self.isMinor = isMinor
        self.identityVerified = identityVerified
        self.trainingConsent = trainingConsent
        self.locale = locale
        self.updatedAt = updatedAt ?? firstSeen
    }
}

/// A published version of the service agreement (IM-9).
package struct AgreementRecord: Sendable, Hashable {
    /// `major.minor`, e.g. `2.1`; a new major version requires users to accept again.
    package var version: String
    package var major: Int
    package var publishedAt: Int64
    /// The text in Markdown.
    package var textZH: String
    package var textEN: String

    package init(version: String, major: Int, publishedAt: Int64, textZH: String, textEN: String) {
        self.version = version
        self.major = major
        self.publishedAt = publishedAt
        self.textZH = textZH
        self.textEN = textEN
    }
}

/// A user's acceptance of an agreement version, with a salted hash of the address it came from.
package struct AcceptanceRecord: Sendable, Hashable {
    package var tenant: String
    package var pseudonym: String
    package var version: String
    package var acceptedAt: Int64
    package var ipSHA256: String?

    package init(tenant: String, pseudonym: String, version: String, acceptedAt: Int64, ipSHA256: String? = nil) {
        self.tenant = tenant
        self.pseudonym = pseudonym
        self.version = version
        self.acceptedAt = acceptedAt
        self.ipSHA256 = ipSHA256
    }
}

/// A violation by an end user (IM-14): what the sanctions ladder counts.
package struct ViolationRecord: Sendable, Hashable {
    package var id: String
    package var tenant: String
    package var pseudonym: String
    package var time: Int64
    package var risks: [RiskCode]
    /// The audit event that holds the decision and its evidence.
    package var auditSequence: UInt64?

    package init(
        id: String,
        tenant: String,
        pseudonym: String,
        time: Int64,
        risks: [RiskCode],
        auditSequence: UInt64? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.pseudonym = pseudonym
        self.time = time
        self.risks = risks
        self.auditSequence = auditSequence
    }
}

/// A measure taken against an end user (IM-14.4–14.6, TC-7.7).
package struct SanctionRecord: Sendable, Hashable {
    /// The rungs of the ladder, mildest first.
    package typealias Level = SanctionLevel

    package var id: String
    package var tenant: String
    package var pseudonym: String
    package var level: Level
    package var reason: String
    package var imposedAt: Int64
    /// When it ends by itself; `nil` until lifted.
    package var expiresAt: Int64?
    package var liftedAt: Int64?
    package var liftReason: String?
    package var auditSequence: UInt64?
    /// An administrator's annotation.
    package var note: String?
    /// When the user was reported to the authorities for it (IM-14.5).
    package var reportedAt: Int64?

    package init(
        id: String,
        tenant: String,
        pseudonym: String,
        level: Level,
        reason: String,
        imposedAt: Int64,
        expiresAt: Int64? = nil,
        liftedAt: Int64? = nil,
        liftReason: String? = nil,
        auditSequence: UInt64? = nil,
        note: String? = nil,
        reportedAt: Int64? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.pseudonym = pseudonym
        self.level = level
        self.reason = reason
        self.imposedAt = imposedAt
        self.expiresAt = expiresAt
        self.liftedAt = liftedAt
        self.liftReason = liftReason
        self.auditSequence = auditSequence
        self.note = note
        self.reportedAt = reportedAt
    }

    /// Whether the sanction binds at `time`.
    package func isActive(at time: Int64) -> Bool {
        self.imposedAt <= time && self.liftedAt.map { $0 <= time } != true && self.expiresAt.map { $0 <= time } != true
    }
}

/// A complaint or report from the public (IM-15). Its text is evidence, kept beside the audit
/// event named by ``auditSequence`` so that retention can erase it.
package struct ComplaintRecord: Sendable, Hashable {
    package typealias Status = ComplaintWorkflow.Status

    /// The ticket number the complainant keeps.
    package var id: String
    package var tenant: String?
    package var category: String
    package var status: Status
    package var receivedAt: Int64
    /// When feedback is due under the published time limit.
    package var dueAt: Int64
    package var contactSHA256: String?
    package var auditSequence: UInt64?
    package var resolution: String?
    package var updatedAt: Int64
    package var closedAt: Int64?
    /// The sanction an appeal is about.
    package var sanctionID: String?
    /// Keyed SHA-256 of the access code the complainant was given (the code itself is never kept).
    package var accessSHA256: String?
    /// The officer handling it.
    package var assignee: String?
    /// What the complaint concerns: a request id, conversation id or content id.
    package var contentRef: String?
    /// The complainant's language (`zh`, `en`).
    package var language: String?

    package init(
        id: String,
        tenant: String? = nil,
        category: String,
        status: Status = .received,
        receivedAt: Int64,
        dueAt: Int64,
        contactSHA256: String? = nil,
        auditSequence: UInt64? = nil,
        resolution: String? = nil,
        updatedAt: Int64? = nil,
        closedAt: Int64? = nil,
        sanctionID: String? = nil,
        accessSHA256: String? = nil,
        assignee: String? = nil,
        contentRef: String? = nil,
        language: String? = nil
    ) {
        self.accessSHA256 = accessSHA256
        self.assignee = assignee
        self.contentRef = contentRef
        self.language = language
        self.id = id
        self.tenant = tenant
        self.category = category
        self.sanctionID = sanctionID
        self.status = status
        self.receivedAt = receivedAt
        self.dueAt = dueAt
        self.contactSHA256 = contactSHA256
        self.auditSequence = auditSequence
        self.resolution = resolution
        self.updatedAt = updatedAt ?? receivedAt
        self.closedAt = closedAt
    }
}

/// A security or content incident (IM-14: stop, remove, rectify, report).
package struct IncidentRecord: Sendable, Hashable {
    package enum Status: String, Sendable, Hashable, CaseIterable {
        case open, contained, reported, closed
    }

    package var id: String
    package var severity: String
    package var title: String
    package var status: Status
    package var openedAt: Int64
    package var reportedAt: Int64?
    package var closedAt: Int64?
    package var summary: String
    package var updatedAt: Int64

    package init(
        id: String,
        severity: String,
        title: String,
        status: Status = .open,
        openedAt: Int64,
        reportedAt: Int64? = nil,
        closedAt: Int64? = nil,
        summary: String,
        updatedAt: Int64? = nil
    ) {
        self.id = id
        self.severity = severity
        self.title = title
        self.status = status
        self.openedAt = openedAt
        self.reportedAt = reportedAt
        self.closedAt = closedAt
        self.summary = summary
        self.updatedAt = updatedAt ?? openedAt
    }
}

/// What an end user used on one day (quotas, minors' time limits: IM-10, OPS-6).
package struct UsageRecord: Sendable, Hashable {
    package var requests: Int
    package var promptTokens: Int
    package var completionTokens: Int
    package var activeSeconds: Int

    package init(requests: Int = 0, promptTokens: Int = 0, completionTokens: Int = 0, activeSeconds: Int = 0) {
        self.requests = requests
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.activeSeconds = activeSeconds
    }
}

/// A personal-information request (IM-11.5, OPS-8) with its deadline.
package struct RightsRequestRecord: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable, CaseIterable {
        case access, correction, deletion
        case consentWithdrawal = "consent_withdrawal"
    }

    package var id: String
    package var tenant: String
    package var pseudonym: String
    package var kind: Kind
    package var receivedAt: Int64
    /// When it must be answered (15 working days by default: OPS-8.3).
    package var dueAt: Int64
    package var completedAt: Int64?
    /// What was done, or why it was refused (OPS-8.1: a refusal gives reasons).
    package var outcome: String?

    package init(
        id: String,
        tenant: String,
        pseudonym: String,
        kind: Kind,
        receivedAt: Int64,
        dueAt: Int64,
        completedAt: Int64? = nil,
        outcome: String? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.pseudonym = pseudonym
        self.kind = kind
        self.receivedAt = receivedAt
        self.dueAt = dueAt
        self.completedAt = completedAt
        self.outcome = outcome
    }
}

/// One step in a ticket's timeline: what was done, by whom, and the text the complainant sees (or,
/// for a note, does not).
package struct ComplaintEventRecord: Sendable, Hashable {
    package var complaintID: String
    /// Position in the ticket's timeline, from 0 (set by the store).
    package var sequence: Int
    package var time: Int64
    package var action: String
    package var actor: String
    package var isPublic: Bool
    package var text: String?

    package init(
        complaintID: String,
        sequence: Int = 0,
        time: Int64,
        action: String,
        actor: String,
        isPublic: Bool,
        text: String? = nil
    ) {
        self.complaintID = complaintID
        self.sequence = sequence
        self.time = time
        self.action = action
        self.actor = actor
        self.isPublic = isPublic
        self.text = text
    }
}

/// Generated content found illegal and taken down (IM-14.1–14.3): which content, from which
/// ticket, the incident opened for it, and the user it came to.
package struct TakedownRecord: Sendable, Hashable {
    package var id: String
    package var tenant: String?
    /// The request id (`req_…`) or completion id (`chatcmpl-…`) the app knows the content by.
    package var contentID: String
    package var complaintID: String?
    package var incidentID: String
    /// The pseudonym of the user the content was generated for, when known.
    package var endUser: String?
    package var risks: [RiskCode]
    package var createdAt: Int64
    package var auditSequence: UInt64?

    package init(
        id: String,
        tenant: String?,
        contentID: String,
        complaintID: String?,
        incidentID: String,
        endUser: String?,
        risks: [RiskCode],
        createdAt: Int64,
        auditSequence: UInt64? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.contentID = contentID
        self.complaintID = complaintID
        self.incidentID = incidentID
        self.endUser = endUser
        self.risks = risks
        self.createdAt = createdAt
        self.auditSequence = auditSequence
    }
}

/// A sample for model rectification (IM-14.2): the prompt, the bad output and a corrected
/// reference answer, for the next round of safety training.
package struct RectificationSampleRecord: Sendable, Hashable {
    package var id: String
    package var takedownID: String
    package var risks: [RiskCode]
    package var prompt: String?
    package var badOutput: String?
    package var referenceAnswer: String
    package var createdAt: Int64

    package init(
        id: String,
        takedownID: String,
        risks: [RiskCode],
        prompt: String?,
        badOutput: String?,
        referenceAnswer: String,
        createdAt: Int64
    ) {
        self.id = id
        self.takedownID = takedownID
        self.risks = risks
        self.prompt = prompt
        self.badOutput = badOutput
        self.referenceAnswer = referenceAnswer
        self.createdAt = createdAt
    }
}

/// A notification waiting in the outbox, or delivered.
package struct WebhookMessageRecord: Sendable, Hashable {
    package var id: String
    /// At most one message per key (`complaint.overdue:C2026…`).
    package var dedupeKey: String
    package var event: String
    /// The JSON body sent.
    package var payload: String
    package var createdAt: Int64
    package var attempts: Int
    package var nextAttemptAt: Int64
    package var deliveredAt: Int64?
    package var lastError: String?

    package init(
        id: String,
        dedupeKey: String,
        event: String,
        payload: String,
        createdAt: Int64,
        attempts: Int = 0,
        nextAttemptAt: Int64? = nil,
        deliveredAt: Int64? = nil,
        lastError: String? = nil
    ) {
        self.id = id
        self.dedupeKey = dedupeKey
        self.event = event
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
    }
}

/// A file attached to a complaint.
package struct ComplaintAttachmentRecord: Sendable, Hashable {
    package var complaintID: String
    package var sequence: Int
    package var filename: String
    package var contentType: String
    package var size: Int
    package var sha256: String
    /// The bytes; empty when listed without them.
    package var data: [UInt8]

    package init(
        complaintID: String,
        sequence: Int,
        filename: String,
        contentType: String,
        size: Int,
        sha256: String,
        data: [UInt8]
    ) {
        self.complaintID = complaintID
        self.sequence = sequence
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.data = data
    }
}
