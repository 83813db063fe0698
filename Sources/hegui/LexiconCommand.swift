import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway

/// `hegui lexicon`: the operator's tools for keyword libraries.
struct LexiconCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexicon",
        abstract: "Check, count and print keyword lexicons.",
        subcommands: [Stats.self, Build.self, Sample.self]
    )

    /// `hegui lexicon stats`: counts per risk against the TC-8.1 floors.
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Count terms per risk and check TC-8.1 coverage (≥10,000 terms; ≥200 per A.1 risk; ≥100 per A.2 risk).",
            discussion: """
                Loads the lexicons as `hegui serve` would, reports duplicates and conflicts, compiles \
                them once and prints the term count of each risk beside the floor TC-8.1 sets. Exits 0 \
                when every floor is met, 1 when one is not, 2 when a lexicon cannot be read.
                """
        )

        @Option(
            name: .customLong("lexicon"),
            help: "Lexicon file or directory (repeatable). Default: the sample lexicon."
        )
        var lexicons: [String] = []

        @Flag(help: "Print the figures as JSON.")
        var json = false

        func run() throws {
            let lexicon: Lexicon
            let files: [String]
            do {
                (lexicon, files) = try ModerationLoader.lexicon(paths: self.lexicons)
            } catch {
                FileHandle.standardError.write(Data("hegui lexicon stats: \(error)\n".utf8))
                throw ExitCode(2)
            }
            let start = ContinuousClock.now
            let matcher = KeywordMatcher(lexicon: lexicon)
            let elapsed = ContinuousClock.now - start
            let report = CoverageReport(lexicon: lexicon)

            if self.json {
                var object = JSONObject()
                object["files"] = .array(files.map { .string($0) })
                object["terms"] = .number(String(report.total))
                object["allowed_terms"] = .number(String(lexicon.allowedTermCount))
                object["duplicates"] = .number(String(lexicon.diagnostics.count { $0.kind == .duplicate }))
                object["conflicts"] = .number(String(lexicon.diagnostics.count { $0.kind == .conflict }))
                object["patterns"] = .number(String(matcher.patternCount))
                object["states"] = .number(String(matcher.stateCount))
                object["build_ms"] = .number(
                    String(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                )
                object["meets_tc_8_1"] = .bool(report.meetsFloors)
                object["risks"] = .object(
                    JSONObject(
                        report.rows.map { row in
                            (
                                key: row.risk.code.rawValue,
                                value: .object([
                                    "terms": .number(String(row.count)),
                                    "floor": row.floor.map { .number(String($0)) } ?? .null,
                                ])
                            )
                        }
                    )
                )
                print(JSONValue.object(object).serialized)
            } else {
                for diagnostic in lexicon.diagnostics {
                    print("warning: \(diagnostic)")
                }
                print(files.isEmpty ? "词库 / lexicon: built-in sample" : "词库 / lexicon: \(files.count) file(s)")
                print(
                    "词条 / terms: \(report.total) (allowed 放行词: \(lexicon.allowedTermCount)); compiled in \(elapsed), \(matcher.patternCount) patterns, \(matcher.stateCount) states"
                )
                print("")
                print("risk   terms   floor  status  name")
                for row in report.rows {
                    let floor = row.floor.map(String.init) ?? "-"
                    let status = row.floor.map { row.count >= $0 ? "ok" : "SHORT" } ?? ""
                    let name = "\(row.risk.chineseName) / \(row.risk.englishName)"
                    print(
                        row.risk.code.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                            + String(row.count).leftPadded(to: 6) + "  " + floor.leftPadded(to: 6) + "  "
                            + status.padding(toLength: 6, withPad: " ", startingAt: 0) + "  " + name
                    )
                }
                print("")
                print(
                    "TC-8.1 总量 / total ≥ \(CoverageReport.totalFloor): \(report.total >= CoverageReport.totalFloor ? "ok" : "SHORT (\(report.total))")"
                )
                print(report.meetsFloors ? "TC-8.1: 满足 / met" : "TC-8.1: 未满足 / not met")
            }
            if !report.meetsFloors {
                throw ExitCode(1)
            }
        }
    }

    /// `hegui lexicon build`: compiles lexicons into one file that starts fast.
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile lexicons into one .hgkw file for a fast start (pass it to --lexicon).",
            discussion: """
                Compiles with the foldings of the policy's default policy (every folding unless \
                --policy says otherwise). A policy with other foldings compiles its own at start.
                """
        )

        @Option(name: .customLong("lexicon"), help: "Lexicon file or directory (repeatable).")
        var lexicons: [String] = []

        @Option(help: "Moderation policy file whose default policy's foldings to compile with.")
        var policy: String?

        @Option(name: .shortAndLong, help: "The compiled file to write (ends in .hgkw).")
        var output: String

        func run() throws {
            guard self.output.hasSuffix(ModerationLoader.compiledExtension) else {
                throw ValidationError("--output must end in \(ModerationLoader.compiledExtension)")
            }
            let matcher: KeywordMatcher
            let files: [String]
            do {
                let policies = try ModerationLoader.policies(file: self.policy)
                let lexicon: Lexicon
                (lexicon, files) = try ModerationLoader.lexicon(paths: self.lexicons)
                for diagnostic in lexicon.diagnostics {
                    FileHandle.standardError.write(Data("warning: \(diagnostic)\n".utf8))
                }
                matcher = KeywordMatcher(
                    lexicon: lexicon,
                    folding: policies.policy(tenant: nil, group: nil).folding
                )
            } catch {
                FileHandle.standardError.write(Data("hegui lexicon build: \(error)\n".utf8))
                throw ExitCode(2)
            }
            let bytes = matcher.serialized()
            guard FileManager.default.createFile(atPath: self.output, contents: Data(bytes)) else {
                FileHandle.standardError.write(
                    Data("hegui lexicon build: \(self.output): cannot write the file\n".utf8)
                )
                throw ExitCode(2)
            }
            print(
                "\(self.output): \(matcher.entries.count) terms from \(max(files.count, 1)) file(s), \(matcher.patternCount) patterns, \(bytes.count) bytes"
            )
        }
    }

    /// `hegui lexicon sample`: prints the built-in sample lexicon.
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the built-in sample lexicon (a starting point for the file format)."
        )

        func run() {
            print(SampleLexicon.text)
        }
    }
}

/// Term counts per risk against the TC-8.1 floors.
struct CoverageReport {
    static let totalFloor = 10_000

    struct Row {
        var risk: Risk
        var count: Int
        var floor: Int?
    }

    var rows: [Row]
    var total: Int

    init(lexicon: Lexicon) {
        let counts = lexicon.termCounts
        var catalogue = RiskCatalogue()
        for code in counts.keys where code.isCustom || code.isClass {
            catalogue.define(
                Risk(code: code, riskClass: code.riskClass, chineseName: code.rawValue, englishName: code.rawValue)
            )
        }
        self.rows = catalogue.risks.map { risk in
            Row(risk: risk, count: counts[risk.code] ?? 0, floor: risk.riskClass?.keywordFloorPerRisk)
        }
        self.total = counts.values.reduce(0, +)
    }

    var meetsFloors: Bool {
        self.total >= Self.totalFloor && self.rows.allSatisfy { row in row.floor.map { row.count >= $0 } ?? true }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        self.count >= width ? self : String(repeating: " ", count: width - self.count) + self
    }
}
