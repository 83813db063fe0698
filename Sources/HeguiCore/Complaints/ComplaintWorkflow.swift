/// What a complaint or report is about (IM-15; the categories of the public form).
package enum ComplaintCategory: String, Sendable, Hashable, CaseIterable {
    case illegalContent = "illegal_content"
    case personalInformation = "personal_information"
    case intellectualProperty = "intellectual_property"
    case minors
    case discrimination
    case appeal
    case other

    package var nameZH: String {
        switch self {
        case .illegalContent: "违法或不良生成内容"
        case .personalInformation: "个人信息与隐私"
        case .intellectualProperty: "知识产权"
        case .minors: "未成年人保护"
        case .discrimination: "歧视性内容"
        case .appeal: "对处置措施的申诉"
        case .other: "其他"
        }
    }

    package var nameEN: String {
        switch self {
        case .illegalContent: "Illegal or harmful generated content"
        case .personalInformation: "Personal information and privacy"
        case .intellectualProperty: "Intellectual property"
        case .minors: "Protection of minors"
        case .discrimination: "Discriminatory content"
        case .appeal: "Appeal against a measure taken"
        case .other: "Other"
        }
    }
}

/// The life of a ticket (IM-15: accept promptly, handle, give feedback). A plain state machine:
/// each officer's action either moves the ticket on or is refused with the reason.
package enum ComplaintWorkflow {
    /// Where a ticket stands.
    package enum Status: String, Sendable, Hashable, CaseIterable {
        case received, accepted
        case infoRequested = "info_requested"
        case resolved, rejected, closed

        /// Whether the complainant has had the decision (the feedback IM-15.3 asks for).
        package var isDecided: Bool { self == .resolved || self == .rejected || self == .closed }

        package var nameZH: String {
            switch self {
            case .received: "已收到"
            case .accepted: "处理中"
            case .infoRequested: "待补充材料"
            case .resolved: "已处理"
            case .rejected: "不予支持"
            case .closed: "已结案"
            }
        }

        package var nameEN: String {
            switch self {
            case .received: "Received"
            case .accepted: "Being handled"
            case .infoRequested: "More information requested"
            case .resolved: "Resolved"
            case .rejected: "Not upheld"
            case .closed: "Closed"
            }
        }
    }

    /// What the officer (or the complainant) does.
    package enum Action: String, Sendable, Hashable, CaseIterable {
        /// Take the ticket on (with an assignee).
        case accept
        /// An internal note; the complainant does not see it.
        case note
        /// Ask the complainant for more; they see the question.
        case requestInfo = "request_info"
        /// The complainant's answer to a request for information.
        case respond
        /// A message to the complainant.
        case reply
        /// Decide: the complaint is upheld and acted on; the resolution is the feedback.
        case resolve
        /// Decide: not upheld; the reasons are the feedback.
        case reject
        /// Close a decided ticket.
        case close

        /// Whether the complainant sees the action's text on the status page.
        package var isPublic: Bool { self != .note && self != .accept }
    }

    /// The status after `action`, or why it cannot be taken now.
    package static func next(after action: Action, from status: Status) -> Result<Status, WorkflowError> {
        switch (action, status) {
        case (.note, _): return .success(status)
        case (_, .closed): return .failure(WorkflowError("已结案的工单不能再处理 / a closed ticket takes no more actions"))
        case (.accept, .received), (.accept, .infoRequested): return .success(.accepted)
        case (.accept, _): return .failure(WorkflowError("工单已受理 / the ticket is already taken on"))
        case (.requestInfo, .received), (.requestInfo, .accepted), (.requestInfo, .infoRequested):
            return .success(.infoRequested)
        case (.respond, .infoRequested): return .success(.accepted)
        case (.respond, _): return .failure(WorkflowError("未要求补充材料 / no information was requested"))
        case (.reply, _): return .success(status)
        case (.resolve, .received), (.resolve, .accepted), (.resolve, .infoRequested): return .success(.resolved)
        case (.reject, .received), (.reject, .accepted), (.reject, .infoRequested): return .success(.rejected)
        case (.resolve, _), (.reject, _): return .failure(WorkflowError("工单已有结论 / the ticket is already decided"))
        case (.close, .resolved), (.close, .rejected): return .success(.closed)
        case (.close, _): return .failure(WorkflowError("须先作出结论 / decide the ticket before closing it"))
        case (.requestInfo, _): return .failure(WorkflowError("工单已有结论 / the ticket is already decided"))
        }
    }

    /// Whether a ticket is past its feedback time limit without a decision.
    package static func isOverdue(status: Status, dueAt: Int64, at time: Int64) -> Bool {
        !status.isDecided && time > dueAt
    }
}

/// Why a workflow action cannot be taken.
package struct WorkflowError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { self.message }
}
