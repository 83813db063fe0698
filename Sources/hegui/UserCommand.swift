import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway
import HeguiStore
import Logging

/// `hegui user`: the operator's side of personal-information requests (IM-11.5, OPS-8) and of
/// sanctions (IM-14.4): export, correct, delete, withdraw training consent, list and lift
/// sanctions, and the open requests with their deadlines. Users are named by the app's own id and
/// the tenant; the store knows them by pseudonym (the deployment's `pseudonym-key`).
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Personal-information requests and sanctions for one end user.",
        subcommands: [
            Export.self, Correct.self, Delete.self, WithdrawConsent.self, Sanctions.self, Lift.self, Requests.self,
        ]
    )

    struct Target: ParsableArguments {
        @OptionGroup var location: AuditCommand.Location
        @Option(help: "Configuration file (YAML), for the minors' bands and the working-day calendar.")
        var config: String?
        @Argument(help: "Tenant id.") var tenant: String
        @Argument(help: "The end user's id as the app sends it.") var user: String

        func withService<Result>(
            _ command: String,
            _ body: (EndUserService, SQLStore, AuditLog) async throws -> Result
        ) async throws -> Result {
            let environment = ProcessInfo.processInfo.environment
            let file = configurationFile(self.config, environment: environment)
            let configuration: GatewayConfiguration
            do {
                configuration = try GatewayConfiguration.load(file: file, environment: environment)
            } catch {
                FileHandle.standardError.write(Data("hegui user \(command): \(error)\n".utf8))
                throw ExitCode(2)
            }
            return try await self.location.withLog("user \(command)") { store, log in
                let directory = try DataDirectory.prepare(at: self.location.path)
                let service = EndUserService(
                    store: store,
                    auditLog: log,
                    users: configuration.users,
                    cache: UserStateCache(lifetimeMilliseconds: 0),
                    pseudonymKey: try PseudonymKey.loadOrCreate(in: directory),
                    logger: Logger(label: "hegui.user")
                )
                return try await body(service, store, log)
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print everything stored about the user as JSON (access and copy)."
        )
        @OptionGroup var target: Target

        func run() async throws {
            let export = try await self.target.withService("export") { service, _, _ in
                try await service.export(tenant: self.target.tenant, user: self.target.user)
            }
            print(export.serialized)
        }
    }

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct attributes: a JSON object such as '{\"birth_year\":2010}'."
        )
        @OptionGroup var target: Target
        @Argument var attributes: String

        func run() async throws {
            let record = try await self.target.withService("correct") { service, _, _ in
                guard case .object(let object) = try JSONParser.parse(self.attributes) else {
                    throw ValidationError("attributes must be a JSON object")
                }
                let attributes = try EndUserService.Attributes(
                    json: object,
                    bands: service.users.minors.bands.map(\.name)
                )
                return try await service.update(
                    tenant: self.target.tenant,
                    user: self.target.user,
                    attributes,
                    asCorrection: true
                )
            }
            print(record.updatedAt > 0 ? "corrected" : "unchanged")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the user's data and id mapping; the audit log keeps its pseudonymous events."
        )
        @OptionGroup var target: Target

        func run() async throws {
            let result = try await self.target.withService("delete") { service, _, _ in
                try await service.delete(tenant: self.target.tenant, user: self.target.user)
            }
            print(
                "deleted: \(result.evidenceErased) evidence records erased, \(result.mappingsForgotten) mappings forgotten"
            )
        }
    }

    struct WithdrawConsent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "withdraw-consent",
            abstract: "Withdraw the user's consent to training use of their inputs."
        )
        @OptionGroup var target: Target

        func run() async throws {
            _ = try await self.target.withService("withdraw-consent") { service, _, _ in
                try await service.withdrawTrainingConsent(tenant: self.target.tenant, user: self.target.user)
            }
            print("training consent withdrawn")
        }
    }

    struct Sanctions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the user's sanctions.")
        @OptionGroup var target: Target

        func run() async throws {
            let list = try await self.target.withService("sanctions") { service, store, _ in
                try await store.sanctions(
                    tenant: self.target.tenant,
                    pseudonym: service.pseudonym(tenant: self.target.tenant, user: self.target.user)
                )
            }
            for sanction in list { print(EndUserService.json(sanction).serialized) }
        }
    }

    struct Lift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift one of the user's sanctions.")
        @OptionGroup var target: Target
        @Argument(help: "The sanction's id.") var sanction: String
        @Option(help: "Why it is lifted (kept with the record).") var reason: String

        func run() async throws {
            try await self.target.withService("lift") { service, store, log in
                let sanctions = SanctionService(
                    store: store,
                    auditLog: log,
                    ladder: service.users.sanctions,
                    cache: UserStateCache(lifetimeMilliseconds: 0),
                    logger: Logger(label: "hegui.user")
                )
                let pseudonym = service.pseudonym(tenant: self.target.tenant, user: self.target.user)
                guard try await store.sanction(id: self.sanction)?.pseudonym == pseudonym else {
                    throw StoreError(.notFound, "the user has no sanction '\(self.sanction)'")
                }
                _ = try await sanctions.lift(
                    id: self.sanction,
                    tenant: self.target.tenant,
                    reason: self.reason,
                    at: Int64(Date().timeIntervalSince1970 * 1000)
                )
            }
            print("lifted \(self.sanction)")
        }
    }

    struct Requests: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open personal-information requests, soonest due first (any user)."
        )
        @OptionGroup var location: AuditCommand.Location
        @Flag(help: "Include completed requests.") var all = false

        func run() async throws {
            let list = try await self.location.withLog("user requests") { store, _ in
                try await store.rightsRequests(tenant: nil, pseudonym: nil, openOnly: !self.all)
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for request in list {
                let due = LocalTime.beijing.date(of: request.dueAt)
                let overdue = request.completedAt == nil && request.dueAt < now ? " OVERDUE" : ""
                print(
                    "\(request.id)\t\(request.tenant)\t\(request.kind.rawValue)\tdue \(due)\(overdue)\t\(request.outcome ?? "open")"
                )
            }
        }
    }
}
