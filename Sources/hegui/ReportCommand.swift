import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway
import HeguiReports
import HeguiStore
import Logging

/// `hegui report`: the documents and figures a provider gives the regulator (issue 9), read from
/// the configuration and the store.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Statistics and regulator-facing reports. 统计与报告。",
        subcommands: [Statistics.self, Assessment.self, Dossier.self, Incidents.self, Rectification.self]
    )

    /// Where the configuration and the store are.
    struct Source: ParsableArguments {
        @Option(help: "Configuration file (YAML).") var config: String?
        @Option(
            name: .customLong("data-dir"),
            help: "State directory (overrides the configuration and HEGUI_DATA_DIR)."
        )
        var dataDirectory: String?

        func configuration(_ command: String) -> GatewayConfiguration {
            var configuration = loadConfiguration(self.config) { message in ReportCommand.fail(command, message) }
            if let dataDirectory { configuration.dataDirectory = dataDirectory }
            return configuration
        }

        /// Opens the store the gateway uses, runs `body`, closes it.
        func withStore<Result>(
            _ command: String,
            _ configuration: GatewayConfiguration,
            _ body: (SQLStore) async throws -> Result
        ) async throws -> Result {
            let logger = Logger(label: "hegui.report")
            let store: SQLStore
            do {
                if let url = configuration.storeURL {
                    store = try await SQLStore.openPostgres(url: url, logger: logger)
                } else {
                    let directory = try DataDirectory.prepare(at: configuration.dataDirectory)
                    store = try await SQLStore.openSQLite(
                        path: directory.filePath(StoreLocation.sqliteFileName),
                        logger: logger
                    )
                }
            } catch {
                ReportCommand.fail(command, "store: \(error)")
            }
            do {
                let result = try await body(store)
                await store.close()
                return result
            } catch let exit as ExitCode {
                await store.close()
                throw exit
            } catch {
                await store.close()
                ReportCommand.fail(command, "\(error)")
            }
        }
    }

    /// The period options every report takes.
    struct Period: ParsableArguments {
        @Option(help: "First day, YYYY-MM-DD (Beijing; default: 30 days before --through).") var from: String?
        @Option(help: "Last day, YYYY-MM-DD (Beijing; default: today).") var through: String?

        func period(_ command: String, now: Int64) -> ReportPeriod {
            do {
                return try ReportPeriod(from: self.from, through: self.through, today: LocalTime.beijing.date(of: now))
            } catch {
                ReportCommand.fail(command, "\(error.parameter): \(error.en)")
            }
        }
    }

    /// The facts of the configuration, the rules it names, the store and the audit log.
    static func facts(
        _ command: String,
        _ configuration: GatewayConfiguration,
        store: SQLStore
    ) async throws -> ServiceFacts {
        let loaded: ModerationLoader.Loaded
        do {
            loaded = try ModerationLoader.load(configuration.moderation)
        } catch {
            Self.fail(command, "\(error)")
        }
        var facts = ServiceFacts(configuration: configuration, engine: loaded.engine, policyVersion: loaded.version)
        let directory = try DataDirectory.prepare(at: configuration.dataDirectory)
        let key = try AuditSigningKey.load(file: configuration.audit.signingKeyFile, in: directory)
        try await facts.read(
            store: store,
            treeHeads: try await store.treeHeads(),
            publicKey: SignedTreeHead.publicKey(of: key)
        )
        return facts
    }

    /// Writes a report as Markdown or as a printable page; exits 1 with `--strict` when the
    /// provider's texts are incomplete.
    static func emit(
        _ markdown: String,
        title: String,
        missing: [String],
        format: String,
        out: String?,
        strict: Bool,
        command: String,
        tool: String = "hegui report",
        problem: String = "still to be written in hegui.yaml"
    ) throws {
        let text =
            format == "md"
            ? markdown : ReportPage.page(title: title, body: MarkdownPage.render(markdown, topHeading: 1))
        Self.write(text, to: out, command: command)
        if !missing.isEmpty {
            FileHandle.standardError.write(
                Data("\(tool) \(command): \(problem): \(missing.joined(separator: "; "))\n".utf8)
            )
            if strict { throw ExitCode(1) }
        }
    }

    /// `hegui report assessment`: the security-assessment report (OPS-5).
    struct Assessment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The security-assessment report (OPS-5, SA-5). 安全评估报告。",
            discussion: """
                Every item of the 2018 Provisions' list answered from the gateway's configuration, \
                the rules in force, the store and the audit log of the period, and from the \
                assessment section of hegui.yaml where only the provider knows (security officer, \
                reviewers, identity checks, cooperation with the authorities, conclusion). The \
                figures name the newest signed tree head of the audit log. --strict exits 1 while \
                any of the provider's texts is missing.
                """
        )

        @OptionGroup var source: Source
        @OptionGroup var period: Period
        @Option(help: "html (printable) or md.") var format = "html"
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Flag(help: "Exit 1 when a text the report needs is missing from hegui.yaml.") var strict = false

        func validate() throws {
            guard ["html", "md"].contains(self.format) else { throw ValidationError("--format must be html or md") }
        }

        func run() async throws {
            let configuration = self.source.configuration("assessment")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let period = self.period.period("assessment", now: now)
            let report = try await self.source.withStore("assessment", configuration) { store in
                AssessmentReport(
                    facts: try await ReportCommand.facts("assessment", configuration, store: store),
                    text: configuration.reportText,
                    statistics: try await StatisticsReport.gather(
                        statistics: try await StatisticsCollector(store: store).refresh(),
                        store: store,
                        from: period.from,
                        through: period.through,
                        filing: configuration.filing,
                        calendar: configuration.users.calendar,
                        now: now
                    )
                )
            }
            try ReportCommand.emit(
                report.markdown,
                title: "安全评估报告 Security assessment report",
                missing: report.missing,
                format: self.format,
                out: self.out,
                strict: self.strict,
                command: "assessment"
            )
        }
    }

    /// `hegui report dossier`: the algorithm filing dossier (OPS-4.1).
    struct Dossier: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The algorithm filing dossier (OPS-4.1, IM-17). 算法备案材料。",
            discussion: """
                The filing items from the configuration and live data, the algorithm's type, \
                scenarios, principle, models and security measures from the filing section of \
                hegui.yaml, and the filing deadlines. --strict exits 1 while any is missing.
                """
        )

        @OptionGroup var source: Source
        @Option(help: "html (printable) or md.") var format = "html"
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Flag(help: "Exit 1 when a text the dossier needs is missing from hegui.yaml.") var strict = false

        func validate() throws {
            guard ["html", "md"].contains(self.format) else { throw ValidationError("--format must be html or md") }
        }

        func run() async throws {
            let configuration = self.source.configuration("dossier")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let dossier = try await self.source.withStore("dossier", configuration) { store in
                FilingDossier(
                    facts: try await ReportCommand.facts("dossier", configuration, store: store),
                    text: configuration.reportText,
                    schedule: configuration.filing,
                    calendar: configuration.users.calendar,
                    now: now
                )
            }
            try ReportCommand.emit(
                dossier.markdown,
                title: "算法备案材料 Algorithm filing dossier",
                missing: dossier.missing,
                format: self.format,
                out: self.out,
                strict: self.strict,
                command: "dossier"
            )
        }
    }

    static func takedowns(_ store: SQLStore, _ configuration: GatewayConfiguration) -> TakedownService {
        TakedownService(
            store: store,
            auditLog: nil,
            sanctions: nil,
            complaints: nil,
            trainingConsentDefault: configuration.users.trainingConsentDefault,
            logger: Logger(label: "hegui.report")
        )
    }

    /// `hegui report incidents`: every incident's report as JSON Lines (IM-14.3).
    struct Incidents: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Incident reports as JSON Lines (IM-14.3). 安全事件导出。",
            discussion:
                "One line an incident, newest first, each its whole report with the takedowns and evidence held."
        )

        @OptionGroup var source: Source
        @Option(help: "Only incidents in this status: open, contained, reported, closed.") var status: String?
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func validate() throws {
            if let status, IncidentRecord.Status(rawValue: status) == nil {
                throw ValidationError("--status must be open, contained, reported or closed")
            }
        }

        func run() async throws {
            let configuration = self.source.configuration("incidents")
            let lines = try await self.source.withStore("incidents", configuration) { store in
                try await ReportCommand.takedowns(store, configuration).incidentExport(
                    status: self.status.flatMap(IncidentRecord.Status.init)
                )
            }
            ReportCommand.write(lines.map { $0 + "\n" }.joined(), to: self.out, command: "incidents")
        }
    }

    /// `hegui report rectification`: the rectification samples as a JSON Lines training set.
    struct Rectification: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rectification samples as a JSON Lines training set (IM-14.2). 整改样本导出。",
            discussion: """
                Each sample: risks, prompt, the bad output and the reference answer. Users who \
                withdrew training consent are left out; without consent a user's prompt is withheld \
                (TC-7.3). The count left out goes to standard error.
                """
        )

        @OptionGroup var source: Source
        @Option(help: "Only samples from this day on, YYYY-MM-DD (Beijing).") var since: String?
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func validate() throws {
            if let since, CivilDate(since) == nil { throw ValidationError("--since must be a date YYYY-MM-DD") }
        }

        func run() async throws {
            let configuration = self.source.configuration("rectification")
            let since = self.since.flatMap(CivilDate.init).map { LocalTime.beijing.start(ofDay: $0.daysSince1970) } ?? 0
            let (lines, excluded) = try await self.source.withStore("rectification", configuration) { store in
                try await ReportCommand.takedowns(store, configuration).trainingSamples(since: since)
            }
            ReportCommand.write(lines.map { $0 + "\n" }.joined(), to: self.out, command: "rectification")
            FileHandle.standardError.write(
                Data(
                    "hegui report rectification: \(lines.count) samples, \(excluded) left out (training consent withdrawn)\n"
                        .utf8
                )
            )
        }
    }

    static func fail(_ command: String, _ message: String) -> Never {
        FileHandle.standardError.write(Data("hegui report \(command): \(message)\n".utf8))
        Foundation.exit(2)
    }

    /// Writes `text` to `path`, or to standard output without one.
    static func write(_ text: String, to path: String?, command: String) {
        guard let path else {
            if !text.isEmpty { print(text, terminator: text.hasSuffix("\n") ? "" : "\n") }
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            Self.fail(command, "cannot write \(path): \(error)")
        }
        FileHandle.standardError.write(Data("hegui report \(command): wrote \(path)\n".utf8))
    }

    /// `hegui report statistics`: the dashboard's figures as HTML, JSON or CSV.
    struct Statistics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The statistics dashboard's figures (HTML with charts, JSON or CSV). 统计。",
            discussion: """
                Tallies the audit log of the period (Beijing days) with the complaints, \
                personal-information requests and filing deadlines; the same figures as \
                GET /admin/dashboard and GET /admin/statistics.
                """
        )

        @OptionGroup var source: Source
        @OptionGroup var period: Period
        @Option(help: "One tenant's figures (default: all).") var tenant: String?
        @Option(help: "html, json, csv (one line a day) or risks.csv.") var format = "html"
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func validate() throws {
            guard ["html", "json", "csv", "risks.csv"].contains(self.format) else {
                throw ValidationError("--format must be html, json, csv or risks.csv")
            }
        }

        func run() async throws {
            let configuration = self.source.configuration("statistics")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let period = self.period.period("statistics", now: now)
            let report = try await self.source.withStore("statistics", configuration) { store in
                try await StatisticsReport.gather(
                    statistics: try await StatisticsCollector(store: store).refresh(),
                    store: store,
                    from: period.from,
                    through: period.through,
                    tenant: self.tenant,
                    filing: configuration.filing,
                    calendar: configuration.users.calendar,
                    now: now
                )
            }
            let text =
                switch self.format {
                case "json": report.json.serialized
                case "csv": report.csv
                case "risks.csv": report.risksCSV
                default: report.html
                }
            ReportCommand.write(text, to: self.out, command: "statistics")
        }
    }
}
