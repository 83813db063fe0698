package import HeguiCore
import Yams

/// Reads a policy file (YAML) into a ``PolicySet``.
///
/// ```yaml
/// default: standard            # the policy for everyone not assigned another
/// policies:
///   standard:
///     folding: { pinyin: true, max_gap: 3 }   # every folding is on unless switched off
///     rules:
///       A1: block                              # a whole class, both directions
///       A4f: { input: flag, output: redact }   # one risk, per direction
///     answers:
///       default: "抱歉……/ Sorry…"
///       A1d: "……"
///     personal_information: all                # or none, or a list of kinds
///     input_roles: [user, tool]                # message roles checked on input (default: all)
///   minors:
///     extends: standard
///     rules: { A2: block, A4: block }
/// groups: { minors: minors }                   # user group → policy, every tenant (a file that
///                                              # names no `minors` group gets its `minors`
///                                              # policy there, else the built-in one)
/// tenants:
///   school-app: { policy: minors }
/// ```
package enum PolicyFile {
    /// Parses a policy file's text.
    /// - Throws: ``ConfigurationError`` naming the file, line and key.
    package static func parse(_ text: String, source: String) throws -> PolicySet {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(source: source, message: "invalid YAML")
        }
        guard let root else { return .builtIn }
        let reader = YAMLReader(source: source)
        var defaultName = ModerationPolicy.builtIn.name
        var definitions: [(name: String, node: Node, key: String)] = []
        var groups: [String: String] = [:]
        var tenants: [String: PolicySet.TenantAssignment] = [:]
        var defaultNode: Node = root
        for (key, node) in try reader.mapping(root, "", allowed: ["default", "policies", "groups", "tenants"]) {
            switch key {
            case "default":
                defaultName = try reader.string(node, key)
                defaultNode = node
            case "policies":
                guard case .mapping(let mapping) = node else {
                    throw reader.error(node, key, "must be a mapping of policy names to policies")
                }
                for (nameNode, policyNode) in mapping {
                    let name = try reader.string(nameNode, key)
                    definitions.append((name, policyNode, "policies.\(name)"))
                }
            case "groups":
                groups = try Self.names(node, key, reader: reader)
            default:
                guard case .mapping(let mapping) = node else {
                    throw reader.error(node, key, "must be a mapping of tenant ids to assignments")
                }
                for (tenantNode, assignmentNode) in mapping {
                    let tenant = try reader.string(tenantNode, key)
                    let tenantKey = "tenants.\(tenant)"
                    var assignment = PolicySet.TenantAssignment()
                    for (key, node) in try reader.mapping(assignmentNode, tenantKey, allowed: ["policy", "groups"]) {
                        if key.hasSuffix(".policy") {
                            assignment.policy = try reader.string(node, key)
                        } else {
                            assignment.groups = try Self.names(node, key, reader: reader)
                        }
                    }
                    tenants[tenant] = assignment
                }
            }
        }

        var built: [String: ModerationPolicy] = [:]
        var building: Set<String> = []
        let byName = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func build(_ name: String, referencedBy node: Node, key: String) throws -> ModerationPolicy {
            if let policy = built[name] { return policy }
            if name == ModerationPolicy.builtIn.name, byName[name] == nil {
                built[name] = .builtIn
                return .builtIn
            }
            guard let definition = byName[name] else {
                throw reader.error(node, key, "unknown policy '\(name)'")
            }
            guard building.insert(name).inserted else {
                throw reader.error(definition.node, definition.key, "'extends' goes round in a circle")
            }
            let policy = try Self.policy(definition.node, definition.key, name: name, reader: reader) {
                parent,
                node,
                key in
                try build(parent, referencedBy: node, key: key)
            }
            built[name] = policy
            return policy
        }
        for definition in definitions {
            _ = try build(definition.name, referencedBy: definition.node, key: definition.key)
        }
        _ = try build(defaultName, referencedBy: defaultNode, key: "default")
        // Minors' mode (IM-10.3) always has a stricter policy: a file that assigns none to the
        // `minors` group gets its own `minors` policy there, or the built-in one.
        let minors = ModerationPolicy.builtInMinors.name
        if groups[minors] == nil {
            if built[minors] == nil { built[minors] = .builtInMinors }
            groups[minors] = minors
        }
        do {
            return try PolicySet(
                policies: Array(built.values),
                defaultPolicy: defaultName,
                groups: groups,
                tenants: tenants
            )
        } catch {
            throw ConfigurationError(source: source, message: error.message)
        }
    }

    private static func names(_ node: Node, _ key: String, reader: YAMLReader) throws -> [String: String] {
        guard case .mapping(let mapping) = node else {
            throw reader.error(node, key, "must be a mapping of group names to policy names")
        }
        var result: [String: String] = [:]
        for (nameNode, valueNode) in mapping {
            let name = try reader.string(nameNode, key)
            result[name] = try reader.string(valueNode, "\(key).\(name)")
        }
        return result
    }

    private static func policy(
        _ node: Node,
        _ key: String,
        name: String,
        reader: YAMLReader,
        parent: (String, Node, String) throws -> ModerationPolicy
    ) throws -> ModerationPolicy {
        let allowed = ["extends", "folding", "rules", "answers", "personal_information", "mask", "input_roles"]
        let members = try reader.mapping(node, key, allowed: allowed)
        var policy = ModerationPolicy(name: name)
        if let (extendsKey, extendsNode) = members.first(where: { $0.0.hasSuffix(".extends") }) {
            policy = try parent(try reader.string(extendsNode, extendsKey), extendsNode, extendsKey)
            policy.name = name
        }
        for (key, node) in members {
            switch key.split(separator: ".").last ?? "" {
            case "folding":
                policy.folding = try Self.folding(node, key, base: policy.folding, reader: reader)
            case "rules":
                guard case .mapping(let mapping) = node else {
                    throw reader.error(node, key, "must be a mapping of risk codes to actions")
                }
                for (riskNode, ruleNode) in mapping {
                    let risk = try Self.risk(riskNode, key, reader: reader)
                    policy.rules[risk] = try Self.rule(ruleNode, "\(key).\(risk)", reader: reader)
                }
            case "answers":
                guard case .mapping(let mapping) = node else {
                    throw reader.error(node, key, "must be a mapping of risk codes (or default) to answers")
                }
                for (riskNode, answerNode) in mapping {
                    let answer = try reader.string(answerNode, key)
                    guard !answer.isEmpty else { throw reader.error(answerNode, key, "must not be empty") }
                    if case .scalar(let scalar) = riskNode, scalar.string == "default" {
                        policy.defaultAnswer = answer
                    } else {
                        policy.answers[try Self.risk(riskNode, key, reader: reader)] = answer
                    }
                }
            case "personal_information":
                policy.personalInformation = try Self.kinds(node, key, reader: reader)
            case "input_roles":
                let roles = try reader.strings(node, key)
                guard !roles.isEmpty else { throw reader.error(node, key, "must name at least one role") }
                policy.inputRoles = Set(roles)
            case "mask":
                let mask = try reader.string(node, key)
                guard mask.count == 1, let character = mask.first else {
                    throw reader.error(node, key, "must be one character")
                }
                policy.mask = character
            default:
                continue  // extends, read above
            }
        }
        return policy
    }

    private static func folding(
        _ node: Node,
        _ key: String,
        base: FoldingOptions,
        reader: YAMLReader
    ) throws -> FoldingOptions {
        var folding = base
        let switches = [
            "width", "case", "traditional", "styles", "invisible", "confusables", "homoglyphs", "split_characters",
            "noise", "repeats", "pinyin",
        ]
        for (key, node) in try reader.mapping(node, key, allowed: switches + ["max_gap", "boundaries"]) {
            switch key.split(separator: ".").last ?? "" {
            case "width": folding.width = try reader.bool(node, key)
            case "case": folding.caseFolding = try reader.bool(node, key)
            case "traditional": folding.traditional = try reader.bool(node, key)
            case "styles": folding.styles = try reader.bool(node, key)
            case "invisible": folding.invisible = try reader.bool(node, key)
            case "confusables": folding.confusables = try reader.bool(node, key)
            case "homoglyphs": folding.homoglyphs = try reader.bool(node, key)
            case "split_characters": folding.splitCharacters = try reader.bool(node, key)
            case "noise": folding.noise = try reader.bool(node, key)
            case "repeats": folding.repeats = try reader.bool(node, key)
            case "pinyin": folding.pinyin = try reader.bool(node, key)
            case "max_gap": folding.maximumNoiseGap = try reader.integer(node, key, in: 0...16)
            default: folding.boundaries = Set(try reader.string(node, key).unicodeScalars)
            }
        }
        return folding
    }

    private static func risk(_ node: Node, _ key: String, reader: YAMLReader) throws -> RiskCode {
        let text = try reader.string(node, key)
        guard let risk = RiskCode(text) else {
            throw reader.error(
                node,
                key,
                "unknown risk code '\(text)' (expected A1a…A5b, a class A1…A5, or custom.name)"
            )
        }
        return risk
    }

    private static func action(_ node: Node, _ key: String, reader: YAMLReader) throws -> ModerationAction {
        let text = try reader.string(node, key)
        guard let action = ModerationAction(rawValue: text) else {
            throw reader.error(node, key, "must be block, redact, flag or allow, got '\(text)'")
        }
        return action
    }

    private static func rule(_ node: Node, _ key: String, reader: YAMLReader) throws -> PolicyRule {
        if case .scalar = node {
            return PolicyRule(try Self.action(node, key, reader: reader))
        }
        var rule = PolicyRule()
        for (key, node) in try reader.mapping(node, key, allowed: ["input", "output"]) {
            if key.hasSuffix(".input") {
                rule.input = try Self.action(node, key, reader: reader)
            } else {
                rule.output = try Self.action(node, key, reader: reader)
            }
        }
        return rule
    }

    private static func kinds(_ node: Node, _ key: String, reader: YAMLReader) throws -> Set<PersonalInformationKind> {
        if case .scalar(let scalar) = node {
            switch scalar.string {
            case "all": return Set(PersonalInformationKind.allCases)
            case "none": return []
            default: break
            }
        }
        guard case .sequence(let sequence) = node else {
            throw reader.error(node, key, "must be all, none or a list of kinds")
        }
        var kinds: Set<PersonalInformationKind> = []
        for item in sequence {
            let name = try reader.string(item, key)
            guard let kind = PersonalInformationKind(rawValue: name) else {
                let known = PersonalInformationKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error(item, key, "unknown kind '\(name)' (known: \(known))")
            }
            kinds.insert(kind)
        }
        return kinds
    }
}
