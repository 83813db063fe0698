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
        subcommands: [Statistics.self]
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

    static func fail(_ command: String, _ message: String) -> Never {
        FileHandle.standardError.write(Data("hegui report \(command): \(message)\n".utf8))
        Foundation.exit(2)
    }

    /// Writes `text` to `path`, or to standard output without one.
    static func write(_ text: String, to path: String?, command: String) {
        guard let path else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
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
