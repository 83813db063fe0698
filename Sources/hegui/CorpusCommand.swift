import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway
import HeguiReports

/// `hegui corpus`: the training-data register and the corpus check (IM-7, IM-8, IM-19, TC-5).
struct CorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Training-data register and corpus checks. 训练语料登记与抽检。",
        subcommands: [Register.self, Check.self, Explain.self]
    )

    static func fail(_ command: String, _ message: String) -> Never {
        FileHandle.standardError.write(Data("hegui corpus \(command): \(message)\n".utf8))
        Foundation.exit(2)
    }

    static func register(_ path: String, command: String) -> CorpusRegister {
        guard let data = FileManager.default.contents(atPath: path) else {
            Self.fail(command, "\(path): cannot be read")
        }
        guard let text = String(validating: data, as: UTF8.self) else { Self.fail(command, "\(path): not UTF-8") }
        do {
            return try CorpusRegister(yaml: text, file: path)
        } catch {
            Self.fail(command, "\(error)")
        }
    }

    /// The check log beside a register: `<register>.checks.jsonl`.
    static func checksFile(register: String) -> String {
        (register.hasSuffix(".yaml") ? String(register.dropLast(5)) : register) + ".checks.jsonl"
    }

    /// `hegui corpus register FILE`: checks that every source has what IM-7 and TC-5 ask for.
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a training-data register (YAML) for missing fields. 检查语料登记。",
            discussion: """
                Each source needs id, name, origin (open_source, self_collected, commercial, \
                user_input) with its licence or authorisation, collected (date), size or items, \
                type, language, personal_information (none, contains, sensitive) with a \
                consent_basis when it is not none, annotation_rules and share. Exits 1 on an \
                error; warnings (one source for a language or type, TC-5.1.2) do not fail.
                """
        )

        @Argument(help: "The register file (YAML).") var file: String

        func run() throws {
            let register = CorpusCommand.register(self.file, command: "register")
            let problems = register.problems
            for problem in problems { print(problem) }
            let errors = problems.filter { $0.severity == .error }.count
            print("\(register.sources.count) sources, \(errors) errors, \(problems.count - errors) warnings")
            if errors > 0 { throw ExitCode(1) }
        }
    }

    /// `hegui corpus check FILE… --source ID`: samples a source and runs moderation on the sample.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sample a corpus and estimate its share of illegal or harmful items. 语料抽检。",
            discussion: """
                Draws a random sample from a recorded seed (10 % of the items and at least 4,000, \
                TC-9.2, unless --sample says otherwise), checks each item with the lexicons and \
                policy of the configuration, and prints the share flagged with its Wilson 95 % \
                interval. A source above 5 % must not be collected or trained on (TC-5.1.1): exit \
                1. With --register the result is appended to <register>.checks.jsonl, which \
                `hegui corpus explain` quotes. Items are the non-empty lines of text files, or \
                the --field of each line of .jsonl files.
                """
        )

        @Argument(help: "Corpus files: text (one item a line) or .jsonl.") var files: [String]
        @Option(help: "The source's id in the register.") var source: String
        @Option(help: "The register file; the result is recorded beside it.") var register: String?
        @Option(help: "How many items to sample (default: 10 % and at least 4,000).") var sample: Int?
        @Option(help: "The random seed (default: from the clock; printed, to draw the same sample again).")
        var seed: UInt64?
        @Option(help: "The JSONL field holding an item's text.") var field = "text"
        @Option(help: "block: items the policy refuses count; any: items with any hit count.") var count = "block"
        @Option(help: "Configuration file (YAML) naming the lexicons and policy.") var config: String?
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            guard CorpusCheck.Counting(rawValue: self.count) != nil else {
                throw ValidationError("--count must be block or any")
            }
            if let sample, sample < 1 { throw ValidationError("--sample must be at least 1") }
        }

        func run() throws {
            let configuration = loadConfiguration(self.config) { CorpusCommand.fail("check", $0) }
            if let register = self.register {
                let known = CorpusCommand.register(register, command: "check")
                guard known.source(self.source) != nil else {
                    CorpusCommand.fail("check", "\(register): no source '\(self.source)'")
                }
            }
            let loaded: ModerationLoader.Loaded
            do {
                loaded = try ModerationLoader.load(configuration.moderation)
            } catch {
                CorpusCommand.fail("check", "\(error)")
            }
            let engine = loaded.engine
            let policy = engine.policies.policy(tenant: "-", group: nil)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let seed = self.seed ?? UInt64(bitPattern: now)
            let result: CorpusCheck.Result
            do {
                result = try CorpusFiles(paths: self.files, field: self.field).check(
                    CorpusCheck(engine: engine, policy: policy, counting: CorpusCheck.Counting(rawValue: self.count)!),
                    source: self.source,
                    sample: self.sample,
                    seed: seed,
                    policyVersion: loaded.version,
                    now: now
                )
            } catch {
                CorpusCommand.fail("check", "\(error)")
            }
            if let register = self.register {
                let log = CorpusCommand.checksFile(register: register)
                let line = Data((result.json.serialized + "\n").utf8)
                if let handle = FileHandle(forWritingAtPath: log) {
                    handle.seekToEndOfFile()
                    handle.write(line)
                    try? handle.close()
                } else if !FileManager.default.createFile(atPath: log, contents: line) {
                    CorpusCommand.fail("check", "\(log): cannot be written")
                }
            }
            if self.json {
                print(result.json.serialized)
            } else {
                let interval =
                    "\(ReportPage.percent(result.interval.lower)) – \(ReportPage.percent(result.interval.upper))"
                print(
                    "来源 source \(result.source): \(result.items) 条 items, 抽样 sampled \(result.sampled) (seed \(result.seed))"
                )
                print("违法不良 flagged \(result.flagged) = \(ReportPage.percent(result.share)) (95% \(interval))")
                for (risk, count) in result.risks.sorted(by: { $0.value > $1.value }) {
                    let name = RiskCatalogue.standard.risk(risk).map { " \($0.chineseName)" } ?? ""
                    print("  \(risk)\(name): \(count)")
                }
                if result.admitted {
                    print("结论 verdict: 可用 admitted (≤ \(ReportPage.percent(result.threshold)), TC-5.1.1)")
                } else {
                    print("结论 verdict: 不可用 rejected (> \(ReportPage.percent(result.threshold)), TC-5.1.1)")
                }
                if result.isBorderline {
                    print("注意 note: the interval spans the threshold; a larger --sample would settle it")
                }
            }
            if !result.admitted { throw ExitCode(1) }
        }
    }

    /// `hegui corpus explain`: the IM-19 explanation from the register and the checks.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The training-data explanation for inspections (IM-19.1). 训练数据说明。",
            discussion: """
                Sources, scale, type, personal information, the latest check of each source, \
                annotation rules and the algorithm's mechanism (filing.principle and \
                filing.models of hegui.yaml). Exits 1 with --strict when the register has errors.
                """
        )

        @Option(help: "The register file (YAML).") var register: String
        @Option(help: "The check log (default: <register>.checks.jsonl).") var checks: String?
        @Option(help: "Configuration file (YAML).") var config: String?
        @Option(help: "html (printable) or md.") var format = "html"
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Flag(help: "Exit 1 when the register has errors.") var strict = false

        func validate() throws {
            guard ["html", "md"].contains(self.format) else { throw ValidationError("--format must be html or md") }
        }

        func run() async throws {
            let configuration = loadConfiguration(self.config) { CorpusCommand.fail("explain", $0) }
            let register = CorpusCommand.register(self.register, command: "explain")
            let path = self.checks ?? CorpusCommand.checksFile(register: self.register)
            var results: [CorpusCheck.Result] = []
            if let data = FileManager.default.contents(atPath: path) {
                for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
                    guard let json = try? JSONParser.parse(String(line)), let result = CorpusCheck.Result(json: json)
                    else {
                        CorpusCommand.fail("explain", "\(path):\(number + 1): not a check result")
                    }
                    results.append(result)
                }
            } else if self.checks != nil {
                CorpusCommand.fail("explain", "\(path): cannot be read")
            }
            let loaded: ModerationLoader.Loaded
            do {
                loaded = try ModerationLoader.load(configuration.moderation)
            } catch {
                CorpusCommand.fail("explain", "\(error)")
            }
            let explanation = CorpusExplanation(
                register: register,
                checks: results,
                facts: ServiceFacts(configuration: configuration, engine: loaded.engine, policyVersion: loaded.version),
                text: configuration.reportText,
                generatedAt: Int64(Date().timeIntervalSince1970 * 1000)
            )
            let errors = register.problems.filter { $0.severity == .error }.map(\.description)
            try ReportCommand.emit(
                explanation.markdown,
                title: "训练数据与算法机制说明 Training data and algorithm explanation",
                missing: errors,
                format: self.format,
                out: self.out,
                strict: self.strict,
                command: "explain",
                tool: "hegui corpus",
                problem: "the register has errors"
            )
        }
    }
}
