import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway
import HeguiStore
import Logging

/// `hegui complaint`: the compliance officer's side of the complaint channel (IM-15) from the
/// command line, on the store directly: list tickets (overdue first flagged), show one with its
/// text and timeline, and take a workflow step. Every step is an audit event, as over the API.
struct ComplaintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complaint",
        abstract: "List, read and handle complaint tickets.",
        subcommands: [List.self, Show.self, Act.self]
    )

    static func withService<Result>(
        _ location: AuditCommand.Location,
        _ command: String,
        _ body: (ComplaintService, SQLStore) async throws -> Result
    ) async throws -> Result {
        let configuration: GatewayConfiguration
        do {
            let environment = ProcessInfo.processInfo.environment
            let file = configurationFile(nil, environment: environment)
            configuration = try GatewayConfiguration.load(file: file, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("hegui complaint \(command): \(error)\n".utf8))
            throw ExitCode(2)
        }
        return try await location.withLog("complaint \(command)") { store, log in
            let directory = try DataDirectory.prepare(at: location.path)
            let key = try PseudonymKey.loadOrCreate(in: directory)
            let cache = UserStateCache(lifetimeMilliseconds: 0)
            let logger = Logger(label: "hegui.complaint")
            var settings = ComplaintService.Settings()
            settings.feedbackWorkingDays = configuration.complaints.feedbackWorkingDays
            settings.calendar = configuration.users.calendar
            let service = ComplaintService(
                store: store,
                auditLog: log,
                settings: settings,
                key: key,
                sanctions: SanctionService(
                    store: store,
                    auditLog: log,
                    ladder: configuration.users.sanctions,
                    cache: cache,
                    logger: logger
                ),
                logger: logger
            )
            return try await body(service, store)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tickets, soonest due first.")
        @OptionGroup var location: AuditCommand.Location
        @Option(help: "Only this status: received, accepted, info_requested, resolved, rejected, closed.")
        var status: String?
        @Flag(help: "Only tickets past their feedback time limit.") var overdue = false

        func run() async throws {
            let status = try self.status.map { text in
                guard let status = ComplaintWorkflow.Status(rawValue: text) else {
                    throw ValidationError("unknown status '\(text)'")
                }
                return status
            }
            let list = try await ComplaintCommand.withService(self.location, "list") { service, _ in
                try await service.list(status: status, overdueOnly: self.overdue, limit: 10_000)
                    .map { ($0.0, $0.1, service.format($0.0.dueAt)) }
            }
            for (complaint, overdue, due) in list {
                print(
                    "\(complaint.id)\t\(complaint.status.rawValue)\t\(complaint.category)\tdue \(due)"
                        + (overdue ? "\tOVERDUE" : "") + (complaint.assignee.map { "\t@\($0)" } ?? "")
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A ticket with its text and whole timeline.")
        @OptionGroup var location: AuditCommand.Location
        @Argument var ticket: String

        func run() async throws {
            let lines = try await ComplaintCommand.withService(self.location, "show") { service, store -> [String] in
                guard let complaint = try await store.complaint(id: self.ticket) else {
                    throw StoreError(.notFound, "no complaint '\(self.ticket)'")
                }
                var lines = [
                    "ticket \(complaint.id) (\(complaint.category)), \(complaint.status.rawValue) / \(complaint.status.nameZH)",
                    "received \(service.format(complaint.receivedAt)), due \(service.format(complaint.dueAt))",
                ]
                if let sanction = complaint.sanctionID { lines.append("appeal against sanction \(sanction)") }
                if let sequence = complaint.auditSequence, let text = try await store.evidence(sequence: sequence) {
                    lines += ["", text, ""]
                }
                for event in try await store.complaintEvents(id: complaint.id) {
                    lines.append(
                        "\(service.format(event.time))  \(event.action)\(event.isPublic ? "" : " (internal)")"
                            + (event.text.map { ": \($0)" } ?? "")
                    )
                }
                return lines
            }
            print(lines.joined(separator: "\n"))
        }
    }

    struct Act: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a step: accept, note, request_info, reply, resolve, reject, close."
        )
        @OptionGroup var location: AuditCommand.Location
        @Argument var ticket: String
        @Argument var action: String
        @Option(help: "The text: the feedback the complainant sees, or an internal note.") var text: String?
        @Option(help: "Who handles it (with accept).") var assignee: String?
        @Option(help: "Who takes the step, for the record.") var by = "officer"
        @Flag(help: "With resolve on an appeal: lift the sanction it names.") var liftSanction = false

        func run() async throws {
            guard let action = ComplaintWorkflow.Action(rawValue: self.action), action != .respond else {
                throw ValidationError("unknown action '\(self.action)'")
            }
            let complaint = try await ComplaintCommand.withService(self.location, "act") { service, _ in
                try await service.act(
                    action,
                    on: self.ticket,
                    text: self.text,
                    actor: self.by,
                    assignee: self.assignee,
                    liftSanction: self.liftSanction
                )
            }
            print("\(complaint.id): \(complaint.status.rawValue)")
        }
    }
}
