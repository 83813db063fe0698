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
        subcommands: [Verify.self, Sign.self, Proof.self]
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

    /// `hegui audit proof`: proofs an auditor checks against signed tree heads.
    struct Proof: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an inclusion proof of an event, or a consistency proof between two tree heads, as JSON.",
            discussion: """
                With --sequence, proves that event is in the tree of the latest signed tree head (or of \
                --tree-size). With --from and --to, proves that the log at the larger size extends the \
                log at the smaller without rewriting it. The proof is checked before it is printed.
                """
        )

        @OptionGroup var location: Location

        @Option(help: "The event's sequence number.")
        var sequence: UInt64?

        @Option(name: .customLong("tree-size"), help: "The tree size of a signed tree head (default: the latest).")
        var treeSize: UInt64?

        @Option(help: "The smaller tree size, for a consistency proof.")
        var from: UInt64?

        @Option(help: "The larger tree size, for a consistency proof.")
        var to: UInt64?

        func validate() throws {
            guard (self.sequence != nil) != (self.from != nil && self.to != nil) else {
                throw ValidationError("give either --sequence, or --from and --to")
            }
        }

        func run() async throws {
            let (store, log) = try await self.location.open()
            do {
                let heads = try await store.treeHeads()
                func head(_ size: UInt64?) throws -> SignedTreeHead {
                    let found = size.map { size in heads.first { $0.treeSize == size } } ?? heads.last
                    guard let found else {
                        throw StoreError(.invalid, "no signed tree head of size \(size.map(String.init) ?? "any")")
                    }
                    return found
                }
                var object = JSONObject()
                object["public_key"] = .string(HexEncoding.encode(log.publicKey))
                if let sequence = self.sequence {
                    let signed = try head(self.treeSize)
                    let proof = try await log.inclusionProof(sequence: sequence, treeSize: signed.treeSize)
                    guard let (event, _) = try await store.auditEvents(from: sequence, limit: 1).first,
                        MerkleTree.verifyInclusion(
                            leaf: event.leafHash,
                            index: Int(sequence),
                            treeSize: Int(signed.treeSize),
                            proof: proof,
                            root: signed.root
                        )
                    else {
                        throw StoreError(.corrupt, "the proof does not verify; run hegui audit verify")
                    }
                    object["event"] = .string(String(decoding: event.canonicalBytes, as: UTF8.self))
                    object["leaf_hash"] = .string(event.leafHash.hex)
                    object["sequence"] = .number(String(sequence))
                    object["tree_head"] = Self.json(signed)
                    object["inclusion_proof"] = .array(proof.map { .string($0.hex) })
                } else if let from = self.from, let to = self.to {
                    let old = try head(from)
                    let new = try head(to)
                    let proof = try await log.consistencyProof(from: from, to: to)
                    guard
                        MerkleTree.verifyConsistency(
                            oldSize: Int(from),
                            newSize: Int(to),
                            oldRoot: old.root,
                            newRoot: new.root,
                            proof: proof
                        )
                    else {
                        throw StoreError(.corrupt, "the proof does not verify; run hegui audit verify")
                    }
                    object["old_tree_head"] = Self.json(old)
                    object["new_tree_head"] = Self.json(new)
                    object["consistency_proof"] = .array(proof.map { .string($0.hex) })
                }
                await store.close()
                print(JSONValue.object(object).serialized)
            } catch {
                await store.close()
                FileHandle.standardError.write(Data("hegui audit proof: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }

        static func json(_ head: SignedTreeHead) -> JSONValue {
            .object([
                "tree_size": .number(String(head.treeSize)),
                "root": .string(head.root.hex),
                "time": .number(String(head.time)),
                "signature": .string(HexEncoding.encode(head.signature)),
            ])
        }
    }
}
