import ArgumentParser
import Foundation
import HeguiGateway

/// The configuration file the commands read: `--config`, else `HEGUI_CONFIG`, else `./hegui.yaml`
/// when present.
func configurationFile(_ given: String?, environment: [String: String]) -> String? {
    if let given { return given }
    if let file = environment["HEGUI_CONFIG"], !file.isEmpty { return file }
    return FileManager.default.fileExists(atPath: "hegui.yaml") ? "hegui.yaml" : nil
}

/// The configuration a command reads (see ``configurationFile(_:environment:)``), or `fail`'s
/// exit naming what is wrong with it.
func loadConfiguration(_ given: String?, fail: (String) -> Never) -> GatewayConfiguration {
    let environment = ProcessInfo.processInfo.environment
    do {
        return try GatewayConfiguration.load(
            file: configurationFile(given, environment: environment),
            environment: environment
        )
    } catch {
        fail("\(error)")
    }
}

/// The UTF-8 text of a file, or `fail`'s exit naming why it cannot be read.
func readTextFile(_ path: String, fail: (String) -> Never) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { fail("\(path): cannot be read") }
    guard let text = String(validating: data, as: UTF8.self) else { fail("\(path): not UTF-8") }
    return text
}

/// `hegui`: the compliance gateway's command line (started from main.swift).
struct Hegui: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "hegui",
        abstract: "Hegui 合规: a compliance gateway for generative-AI services in mainland China.",
        discussion: """
            Put Hegui in front of an OpenAI-compatible model; apps call it as they would call OpenAI.
            Start with `hegui serve`; write a starter configuration with `hegui init`.
            """,
        version: Self.version,
        subcommands: [
            Serve.self, Scan.self, LexiconCommand.self, AuditCommand.self, TenantCommand.self, UserCommand.self,
            ComplaintCommand.self, LabelCommand.self, CalendarCommand.self, FilingCommand.self,
            ScopeCommand.self, ReportCommand.self, CorpusCommand.self, EvalCommand.self,
            Init.self, DemoModelCommand.self,
        ]
    )
}
