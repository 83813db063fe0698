import ArgumentParser
import Foundation
import HeguiCore
import HeguiStore
import Logging

/// `hegui audit`: the compliance officer's and auditor's tools for the tamper-evident log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify and sign the tamper-evident audit log.",
        subcommands: [Verify.self, Sign.self]
    )

    struct Location: ParsableArguments {
        @Option(
            name: .customLong("data-dir"),
            help: "State directory. Environment: HEGUI_DATA_DIR. Default: ./hegui-data."
        )
        var dataDirectory: String?

        func open() async throws -> (SQLStore, AuditLog) {
            let path =
                self.dataDirectory ?? ProcessInfo.processInfo.environment["HEGUI_DATA_DIR"].flatMap {
                    $0.isEmpty ? nil : $0
                } ?? "./hegui-data"
            do {
                let directory = try DataDirectory.prepare(at: path)
                let store = try await SQLStore.openSQLite(
                    path: directory.filePath(StoreLocation.sqliteFileName),
                    logger: Logger(label: "hegui.audit")
                )
                let key = try AuditSigningKey.loadOrCreate(in: directory)
                return (store, try AuditLog(store: store, signingKey: key))
            } catch {
                FileHandle.standardError.write(Data("hegui audit: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    /// `hegui audit verify`: re-derives the tree and checks every signed tree head.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-derive the audit log's Merkle tree and check every signed tree head.",
            discussion: """
                Exits 0 when the log is intact, 1 naming the first sequence number where an event \
                was altered, deleted, inserted or reordered, 2 when the store cannot be read.
                """
        )

        @OptionGroup var location: Location

        func run() async throws {
            let (store, log) = try await self.location.open()
            let findings: [AuditLogVerifier.Finding]
            let count: UInt64
            let heads: Int
            do {
                findings = try await log.verify()
                count = try await store.auditEventCount()
                heads = try await store.treeHeads().count
                await store.close()
            } catch {
                await store.close()
                FileHandle.standardError.write(Data("hegui audit verify: \(error)\n".utf8))
                throw ExitCode(2)
            }
            if findings.isEmpty {
                print("审计日志完整 / audit log intact: \(count) events, \(heads) signed tree heads")
                print("public key: \(HexEncoding.encode(log.publicKey))")
                return
            }
            for finding in findings {
                print("TAMPERED: \(finding)")
            }
            throw ExitCode(1)
        }
    }

    /// `hegui audit sign`: signs a tree head over the log as it stands.
    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign and record a tree head over the audit log as it stands."
        )

        @OptionGroup var location: Location

        func run() async throws {
            let (store, log) = try await self.location.open()
            do {
                let head = try await log.signTreeHead(time: Int64(Date().timeIntervalSince1970 * 1000))
                await store.close()
                print("tree size \(head.treeSize) root \(head.root.hex)")
            } catch {
                await store.close()
                FileHandle.standardError.write(Data("hegui audit sign: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
