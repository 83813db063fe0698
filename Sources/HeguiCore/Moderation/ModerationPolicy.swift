/// What a policy does about one risk or class, per direction; `nil` leaves the decision to the
/// next rule (the class's, then the lexicon term's own action).
package struct PolicyRule: Sendable, Hashable {
    /// The action for text the app sends to the model.
    package var input: ModerationAction?
    /// The action for the model's answer.
    package var output: ModerationAction?

    package init(input: ModerationAction? = nil, output: ModerationAction? = nil) {
        self.input = input
        self.output = output
    }

    /// The same action both ways.
    package init(_ action: ModerationAction) {
        self.init(input: action, output: action)
    }

    package func action(for direction: ModerationDirection) -> ModerationAction? {
        switch direction {
        case .input: self.input
        case .output: self.output
        }
    }
}

/// A moderation policy: the foldings to apply, the action per risk and direction, the compliant
/// answers (代答) that replace refused content, and which personal-information detectors run
/// (IM-4, IM-11, IM-14, TC-7.7).
///
/// The action for a hit is decided by the most specific rule: the risk's own (`A1d`), then its
/// class's (`A1`), then the lexicon term's own action; a hit of a detector with no rule is
/// `redact`ed.
package struct ModerationPolicy: Sendable {
    /// The policy's name, as tenants and user groups refer to it.
    package var name: String
    /// The evasion foldings applied to terms and text.
    package var folding: FoldingOptions
    /// Rules by risk code or class code (`A1d`, `A1`, `custom.competitor`).
    package var rules: [RiskCode: PolicyRule]
    /// Compliant answers by risk code or class code; ``defaultAnswer`` for the rest.
    package var answers: [RiskCode: String]
    /// The answer for a refusal that no risk or class names.
    package var defaultAnswer: String
    /// The personal-information detectors that run.
    package var personalInformation: Set<PersonalInformationKind>
    /// The character that replaces each character of a redacted span.
    package var mask: Character
    /// The message roles checked on input; `nil` leaves it to the gateway's configuration
    /// (every role by default).
    package var inputRoles: Set<String>?

    /// The compliant answer of the built-in policy, in Chinese with English beside it.
    package static let builtInAnswer =
        "抱歉，这个问题我无法回答，我们换个话题吧。\nSorry, I can't help with that. Let's talk about something else."

    package init(
        name: String,
        folding: FoldingOptions = .all,
        rules: [RiskCode: PolicyRule] = [:],
        answers: [RiskCode: String] = [:],
        defaultAnswer: String = ModerationPolicy.builtInAnswer,
        personalInformation: Set<PersonalInformationKind> = Set(PersonalInformationKind.allCases),
        mask: Character = "*"
    ) {
        self.name = name
        self.folding = folding
        self.rules = rules
        self.answers = answers
        self.defaultAnswer = defaultAnswer
        self.personalInformation = personalInformation
        self.mask = mask
    }

    /// The built-in policy: every folding on, lexicon actions as written, personal information
    /// redacted.
    package static let builtIn = ModerationPolicy(name: "default")

    /// The built-in policy of minors' mode (IM-10.3, TC-7.2): every lexicon hit of every class is
    /// refused both ways, where the default policy may only flag or redact.
    package static let builtInMinors = ModerationPolicy(
        name: "minors",
        rules: Dictionary(
            uniqueKeysWithValues: RiskClass.allCases.compactMap { riskClass in
                RiskCode(riskClass.rawValue).map { ($0, PolicyRule(.block)) }
            }
        ),
        defaultAnswer:
            "抱歉，这个问题不适合在这里讨论，我们换个话题吧。\nSorry, that is not something to discuss here. Let's talk about something else."
    )

    /// The action for a hit of `risk`.
    /// - Parameters:
    ///   - risk: the hit's risk.
    ///   - termAction: the lexicon term's own action, or `nil` for a detector's hit.
    ///   - direction: input or output.
    package func action(
        for risk: RiskCode,
        termAction: ModerationAction?,
        direction: ModerationDirection
    ) -> ModerationAction {
        if let action = self.rules[risk]?.action(for: direction) {
            return action
        }
        if let riskClass = risk.riskClass, !risk.isClass,
            let classCode = RiskCode(riskClass.rawValue),
            let action = self.rules[classCode]?.action(for: direction)
        {
            return action
        }
        return termAction ?? .redact
    }

    /// The compliant answer for a refusal of these risks: the first risk (in code order) with
    /// an answer of its own or of its class, else the default.
    package func answer(for risks: [RiskCode]) -> String {
        for risk in risks.sorted() {
            if let answer = self.answers[risk] {
                return answer
            }
            if let riskClass = risk.riskClass, let classCode = RiskCode(riskClass.rawValue),
                let answer = self.answers[classCode]
            {
                return answer
            }
        }
        return self.defaultAnswer
    }
}

/// The policies of a deployment and which tenant and user group gets which (a stricter set
/// for minors, say).
package struct PolicySet: Sendable {
    /// Every policy by name.
    package private(set) var policies: [String: ModerationPolicy]
    /// The policy for tenants and groups that no assignment names.
    package private(set) var defaultPolicy: String
    /// Policies by user group for every tenant (`minors: strict`).
    package private(set) var groups: [String: String]
    /// Per tenant: its own default and its own group assignments.
    package private(set) var tenants: [String: TenantAssignment]

    /// A tenant's policy choices.
    package struct TenantAssignment: Sendable, Hashable {
        package var policy: String?
        package var groups: [String: String]

        package init(policy: String? = nil, groups: [String: String] = [:]) {
            self.policy = policy
            self.groups = groups
        }
    }

    /// A policy set; every name it refers to must be one of `policies`.
    /// - Throws: ``PolicyError`` naming the first unknown policy.
    package init(
        policies: [ModerationPolicy],
        defaultPolicy: String,
        groups: [String: String] = [:],
        tenants: [String: TenantAssignment] = [:]
    ) throws(PolicyError) {
        var byName: [String: ModerationPolicy] = [:]
        for policy in policies {
            guard byName[policy.name] == nil else {
                throw PolicyError("策略重名 / policy \"\(policy.name)\" is defined twice")
            }
            byName[policy.name] = policy
        }
        func check(_ name: String, _ place: String) throws(PolicyError) {
            guard byName[name] != nil else {
                throw PolicyError("\(place): 未知策略 / unknown policy \"\(name)\"")
            }
        }
        try check(defaultPolicy, "default")
        for (group, name) in groups { try check(name, "groups.\(group)") }
        for (tenant, assignment) in tenants {
            if let name = assignment.policy { try check(name, "tenants.\(tenant)") }
            for (group, name) in assignment.groups { try check(name, "tenants.\(tenant).groups.\(group)") }
        }
        self.policies = byName
        self.defaultPolicy = defaultPolicy
        self.groups = groups
        self.tenants = tenants
    }

    /// The built-in policies: the default, and the stricter one the `minors` group gets.
    package static let builtIn: PolicySet = {
        // The built-in policy names itself as default: nothing to check.
        try! PolicySet(
            policies: [.builtIn, .builtInMinors],
            defaultPolicy: ModerationPolicy.builtIn.name,
            groups: [ModerationPolicy.builtInMinors.name: ModerationPolicy.builtInMinors.name]
        )
    }()

    /// The policy for a tenant's user in a group: the tenant's group assignment, the global
    /// group assignment, the tenant's default, the global default, in that order.
    /// A `preferred` policy (the tenant record's own choice) stands in for the tenant's default when
    /// it names a policy of the set.
    package func policy(tenant: String?, group: String?, preferred: String? = nil) -> ModerationPolicy {
        let assignment = tenant.flatMap { self.tenants[$0] }
        let name =
            group.flatMap { assignment?.groups[$0] } ?? group.flatMap { self.groups[$0] }
            ?? preferred.flatMap { self.policies[$0] == nil ? nil : $0 } ?? assignment?.policy
            ?? self.defaultPolicy
        // Every name was checked in `init`.
        return self.policies[name] ?? self.policies[self.defaultPolicy]!
    }

    /// The distinct folding options of all policies (one matcher is built for each).
    package var foldings: [FoldingOptions] {
        var seen: [FoldingOptions] = []
        for policy in self.policies.values.sorted(by: { $0.name < $1.name }) where !seen.contains(policy.folding) {
            seen.append(policy.folding)
        }
        return seen
    }
}

/// A policy definition that does not hold together.
package struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { self.message }
}
