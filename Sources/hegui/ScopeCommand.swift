import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway
import HeguiReports

/// `hegui scope`: which duties apply to this service and why (IM-2, IM-17, SA-2, LBL-4, OPS-2,
/// OPS-6), from the `scope` section of hegui.yaml; asks what it lacks when run at a terminal.
struct ScopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scope",
        abstract: "Which duties apply to this service, and why. 适用范围与义务清单。",
        discussion: """
            Answers come from the scope section of hegui.yaml (keys: \
            \(ScopeAnswers.questions.map(\.key).joined(separator: ", "))); at a terminal the \
            command asks for the ones missing. The checklist names the requirement IDs and where \
            Hegui covers each duty. Exits 2 when answers are missing and it cannot ask.
            """
    )

    @Option(help: "Configuration file (YAML).") var config: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var answers = loadConfiguration(self.config, fail: Self.fail).scope
        if !answers.unanswered.isEmpty {
            guard isatty(STDIN_FILENO) == 1 else {
                Self.fail(
                    "unanswered: \(answers.unanswered.joined(separator: ", ")); add them to the scope section of hegui.yaml"
                )
            }
            Self.ask(&answers)
        }
        guard let duties = answers.duties else {
            Self.fail("unanswered: \(answers.unanswered.joined(separator: ", "))")
        }
        if self.json {
            let items: [JSONValue] = duties.map { duty in
                [
                    "duty": .string(duty.duty.zh + " / " + duty.duty.en),
                    "verdict": .string(duty.verdict.rawValue),
                    "reason": .string(duty.reason.zh + " / " + duty.reason.en),
                    "requirements": .array(duty.requirements.map { .string($0) }),
                    "hegui": .string(duty.hegui),
                ]
            }
            print(JSONValue.array(items).serialized)
            return
        }
        for duty in duties {
            let mark =
                switch duty.verdict {
                case .applies: "[适用 applies]"
                case .recommended: "[建议 recommended]"
                case .notRequired: "[不适用 not required]"
                }
            print("\(mark) \(duty.duty.zh) / \(duty.duty.en) [\(duty.requirements.joined(separator: ", "))]")
            print("    因为 because: \(duty.reason.zh) / \(duty.reason.en)")
            if duty.verdict != .notRequired { print("    Hegui: \(duty.hegui)") }
        }
    }

    /// Asks the missing questions at the terminal.
    static func ask(_ answers: inout ScopeAnswers) {
        for question in ScopeAnswers.questions where answers.unanswered.contains(question.key) {
            while true {
                print(
                    "\(question.zh) \(question.en) ",
                    terminator: question.key == "media" ? "[text,image,…] " : "[y/n] "
                )
                guard let line = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else {
                    Foundation.exit(2)
                }
                if question.key == "media" {
                    let media = line.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
                    let parsed = media.compactMap(ScopeAnswers.Medium.init(rawValue:))
                    if !parsed.isEmpty, parsed.count == media.count {
                        answers.media = Set(parsed)
                        break
                    }
                    continue
                }
                guard let yes = ["y": true, "yes": true, "是": true, "n": false, "no": false, "否": false][line] else {
                    continue
                }
                switch question.key {
                case "serves_public_in_mainland": answers.servesPublicInMainland = yes
                case "offered_through_api": answers.offeredThroughAPI = yes
                case "public_opinion": answers.publicOpinion = yes
                case "users_publish": answers.usersPublish = yes
                case "downloads": answers.downloads = yes
                case "provided_from_abroad": answers.providedFromAbroad = yes
                default: answers.minorsMayUse = yes
                }
                break
            }
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("hegui scope: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
