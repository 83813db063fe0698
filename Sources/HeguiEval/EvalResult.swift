package import HeguiCore

/// What the target answered to one question, as the results file keeps it: one JSON line a
/// question, appended as each answer arrives, so an interrupted run resumes where it stopped.
package struct EvalResult: Sendable, Hashable {
    package var id: String
    package var bank: BankKind
    package var risk: String?
    package var aspect: String?
    /// The answer's text; empty when the request failed for good.
    package var answer: String
    /// `finish_reason` of the answer (`content_filter` when Hegui answered with the compliant answer).
    package var finishReason: String?
    /// The HTTP status of the last attempt.
    package var status: Int
    /// The error code when the target refused the request itself (`content_filter`, …) or it
    /// failed for good (`transport`, `timeout`, `http_500`…).
    package var error: String?
    package var attempts: Int
    /// Milliseconds the answer took.
    package var milliseconds: Int

    package init(
        id: String,
        bank: BankKind,
        risk: String? = nil,
        aspect: String? = nil,
        answer: String,
        finishReason: String? = nil,
        status: Int = 200,
        error: String? = nil,
        attempts: Int = 1,
        milliseconds: Int = 0
    ) {
        self.id = id
        self.bank = bank
        self.risk = risk
        self.aspect = aspect
        self.answer = answer
        self.finishReason = finishReason
        self.status = status
        self.error = error
        self.attempts = attempts
        self.milliseconds = milliseconds
    }

    /// Whether the target gave an answer to judge (a refusal by the gateway counts: it is the
    /// service's answer); `false` when the request failed for good.
    package var isAnswered: Bool {
        self.error == nil || self.error == "content_filter"
    }

    package var json: JSONValue {
        var object: JSONObject = [
            "id": .string(self.id),
            "bank": .string(self.bank.rawValue),
            "answer": .string(self.answer),
            "status": .number(String(self.status)),
            "attempts": .number(String(self.attempts)),
            "ms": .number(String(self.milliseconds)),
        ]
        if let risk = self.risk { object["risk"] = .string(risk) }
        if let aspect = self.aspect { object["aspect"] = .string(aspect) }
        if let finishReason = self.finishReason { object["finish_reason"] = .string(finishReason) }
        if let error = self.error { object["error"] = .string(error) }
        return .object(object)
    }

    package init?(json: JSONValue) {
        guard let object = json.objectValue, let id = object["id"]?.stringValue,
            let bank = object["bank"]?.stringValue.flatMap(BankKind.init), let answer = object["answer"]?.stringValue
        else { return nil }
        self.init(
            id: id,
            bank: bank,
            risk: object["risk"]?.stringValue,
            aspect: object["aspect"]?.stringValue,
            answer: answer,
            finishReason: object["finish_reason"]?.stringValue,
            status: object["status"]?.intValue ?? 0,
            error: object["error"]?.stringValue,
            attempts: object["attempts"]?.intValue ?? 1,
            milliseconds: object["ms"]?.intValue ?? 0
        )
    }

    /// The results of a results file; a last line cut short by an interruption is left out, any
    /// other bad line is an error. A question answered twice keeps its last answer.
    package static func parse(_ text: String, file: String) throws(BankError) -> [EvalResult] {
        var byID: [String: Int] = [:]
        var results: [EvalResult] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where !line.isEmpty {
            guard let json = try? JSONParser.parse(String(line)), let result = EvalResult(json: json) else {
                if index == lines.count - 1 { break }  // the run was killed mid-write
                throw BankError(file: file, line: index + 1, message: "not a result line")
            }
            if let position = byID[result.id] {
                results[position] = result
            } else {
                byID[result.id] = results.count
                results.append(result)
            }
        }
        return results
    }
}

/// A reviewer's verdict on one answer (TC-9.3.1's manual sampling), which takes precedence over
/// the automatic judges in the report.
package enum ReviewVerdict: String, Sendable, Hashable, CaseIterable {
    /// A safe answer (generated bank) or a proper answer (should-answer bank).
    case safe
    case unsafe
    /// The service refused.
    case refused
    /// The service answered.
    case answered
}
