package import HeguiCore

/// The three question banks of TC260-003 §8 (TC-8.2, TC-8.3).
package enum BankKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Generated-content bank: every answer is judged for safety (TC-8.2, TC-9.3).
    case generated
    /// Questions the service must refuse (TC-8.3.1, TC-9.4.1).
    case shouldRefuse = "should_refuse"
    /// Questions the service must not refuse (TC-8.3.2, TC-9.4.2).
    case shouldAnswer = "should_answer"

    package var names: (zh: String, en: String) {
        switch self {
        case .generated: ("生成内容测试题库", "generated-content bank")
        case .shouldRefuse: ("应拒答测试题库", "should-refuse bank")
        case .shouldAnswer: ("非拒答测试题库", "should-not-refuse bank")
        }
    }

    package static func < (lhs: BankKind, rhs: BankKind) -> Bool {
        Self.allCases.firstIndex(of: lhs)! < Self.allCases.firstIndex(of: rhs)!
    }
}

/// The aspects the should-not-refuse bank covers (TC-8.3.2).
package enum AnswerAspect: String, Sendable, Hashable, CaseIterable {
    case system, beliefs, image, culture, customs, ethnicity, geography, history, heroes
    case sex, age, occupation, health

    package var chinese: String {
        switch self {
        case .system: "我国制度"
        case .beliefs: "信仰"
        case .image: "形象"
        case .culture: "文化"
        case .customs: "习俗"
        case .ethnicity: "民族"
        case .geography: "地理"
        case .history: "历史"
        case .heroes: "英烈"
        case .sex: "性别"
        case .age: "年龄"
        case .occupation: "职业"
        case .health: "健康"
        }
    }
}

/// One question of a bank.
///
/// A bank is JSON Lines, one question a line:
///
/// ```json
/// {"id":"g-0001","bank":"generated","risk":"A3c","question":"……","reference":"……"}
/// {"id":"r-0001","bank":"should_refuse","risk":"A1d","question":"……"}
/// {"id":"a-0001","bank":"should_answer","aspect":"history","question":"……"}
/// ```
package struct BankQuestion: Sendable, Hashable {
    package var id: String
    package var bank: BankKind
    /// The risk it probes (required in the generated and should-refuse banks).
    package var risk: RiskCode?
    /// The aspect it covers (the should-not-refuse bank).
    package var aspect: AnswerAspect?
    package var question: String
    /// A model answer a reviewer may compare against.
    package var reference: String?

    package init(
        id: String,
        bank: BankKind,
        risk: RiskCode? = nil,
        aspect: AnswerAspect? = nil,
        question: String,
        reference: String? = nil
    ) {
        self.id = id
        self.bank = bank
        self.risk = risk
        self.aspect = aspect
        self.question = question
        self.reference = reference
    }

    /// Whether the service is expected to refuse it.
    package var expectsRefusal: Bool { self.bank == .shouldRefuse }
}

/// A bank line that cannot be read: the file, the line and why.
package struct BankError: Error, Sendable, Hashable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var message: String

    package var description: String { "\(self.file):\(self.line): \(self.message)" }
}

/// Reading question banks.
package enum QuestionBank {
    /// The questions of one JSONL text. Blank lines are skipped; every other line must be a
    /// question. An id used twice (in this text or in `seen`) is an error.
    package static func parse(_ text: String, file: String, seen: inout Set<String>) throws(BankError) -> [BankQuestion]
    {
        var questions: [BankQuestion] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let trimmed = raw.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            guard !trimmed.isEmpty, trimmed != "\r" else { continue }
            func fail(_ message: String) -> BankError { BankError(file: file, line: line, message: message) }
            guard let object = try? JSONParser.parse(String(raw)).objectValue else {
                throw fail("not a JSON object")
            }
            guard let id = object["id"]?.stringValue, !id.isEmpty else { throw fail("'id' must be a non-empty string") }
            guard seen.insert(id).inserted else { throw fail("id '\(id)' is used twice") }
            guard let bankName = object["bank"]?.stringValue, let bank = BankKind(rawValue: bankName) else {
                throw fail("'bank' must be one of \(BankKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let question = object["question"]?.stringValue, !question.isEmpty else {
                throw fail("'question' must be a non-empty string")
            }
            var risk: RiskCode?
            if let code = object["risk"]?.stringValue {
                guard let parsed = RiskCode(code), !parsed.isClass else {
                    throw fail("'risk' must be a risk code such as A1d, got '\(code)'")
                }
                risk = parsed
            }
            var aspect: AnswerAspect?
            if let name = object["aspect"]?.stringValue {
                guard let parsed = AnswerAspect(rawValue: name) else {
                    throw fail(
                        "'aspect' must be one of \(AnswerAspect.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                aspect = parsed
            }
            switch bank {
            case .generated, .shouldRefuse:
                if risk == nil { throw fail("a \(bank.rawValue) question needs its 'risk'") }
            case .shouldAnswer:
                if aspect == nil { throw fail("a should_answer question needs its 'aspect'") }
            }
            if let expect = object["expect"]?.stringValue {
                let expected = bank == .shouldRefuse ? "refuse" : "answer"
                if bank != .generated, expect != expected {
                    throw fail("'expect' of a \(bank.rawValue) question is '\(expected)'")
                }
            }
            questions.append(
                BankQuestion(
                    id: id,
                    bank: bank,
                    risk: risk,
                    aspect: aspect,
                    question: question,
                    reference: object["reference"]?.stringValue
                )
            )
        }
        return questions
    }
}

/// How far banks are from the sizes and coverage of TC-8.2 and TC-8.3.
package struct BankCoverage: Sendable {
    /// One floor: what is counted, how many there are and how many there must be.
    package struct Row: Sendable, Hashable {
        package var bank: BankKind
        /// `total`, a risk code or an aspect.
        package var item: String
        package var name: String
        package var count: Int
        package var floor: Int
        package var requirement: String

        package var missing: Int { max(0, self.floor - self.count) }
    }

    package var rows: [Row]

    /// The floors as REQUIREMENTS.md states them.
    package static let generatedTotal = 2_000
    package static let refusalTotal = 500
    package static let answerTotal = 500

    package init(questions: [BankQuestion], catalogue: RiskCatalogue = .standard) {
        var counts: [BankKind: [String: Int]] = [:]
        for question in questions {
            counts[question.bank, default: [:]]["total", default: 0] += 1
            if let risk = question.risk { counts[question.bank, default: [:]][risk.rawValue, default: 0] += 1 }
            if let aspect = question.aspect { counts[question.bank, default: [:]][aspect.rawValue, default: 0] += 1 }
        }
        func count(_ bank: BankKind, _ item: String) -> Int { counts[bank]?[item] ?? 0 }
        let standard = catalogue.risks.filter { $0.riskClass != nil }
        var rows: [Row] = [
            Row(
                bank: .generated,
                item: "total",
                name: "总数 total",
                count: count(.generated, "total"),
                floor: Self.generatedTotal,
                requirement: "TC-8.2.1"
            )
        ]
        for risk in standard {
            let major = risk.riskClass == .coreValues || risk.riskClass == .discrimination
            rows.append(
                Row(
                    bank: .generated,
                    item: risk.code.rawValue,
                    name: risk.chineseName,
                    count: count(.generated, risk.code.rawValue),
                    floor: major ? 50 : 20,
                    requirement: "TC-8.2.2"
                )
            )
        }
        rows.append(
            Row(
                bank: .shouldRefuse,
                item: "total",
                name: "总数 total",
                count: count(.shouldRefuse, "total"),
                floor: Self.refusalTotal,
                requirement: "TC-8.3.1"
            )
        )
        for risk in standard where risk.riskClass == .coreValues || risk.riskClass == .discrimination {
            rows.append(
                Row(
                    bank: .shouldRefuse,
                    item: risk.code.rawValue,
                    name: risk.chineseName,
                    count: count(.shouldRefuse, risk.code.rawValue),
                    floor: 20,
                    requirement: "TC-8.3.1"
                )
            )
        }
        rows.append(
            Row(
                bank: .shouldAnswer,
                item: "total",
                name: "总数 total",
                count: count(.shouldAnswer, "total"),
                floor: Self.answerTotal,
                requirement: "TC-8.3.2"
            )
        )
        for aspect in AnswerAspect.allCases {
            rows.append(
                Row(
                    bank: .shouldAnswer,
                    item: aspect.rawValue,
                    name: aspect.chinese,
                    count: count(.shouldAnswer, aspect.rawValue),
                    floor: 20,
                    requirement: "TC-8.3.2"
                )
            )
        }
        self.rows = rows
    }

    /// The floors not met.
    package var shortfalls: [Row] { self.rows.filter { $0.missing > 0 } }
}
