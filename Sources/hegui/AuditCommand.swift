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
        subcommands: [Verify.self, Sign.self, Proof.self, Export.self, Purge.self]
    )

    struct Location: ParsableArguments {
        @Option(
            name: .customLong("data-dir"),
            help: "State directory. Environment: HEGUI_DATA_DIR. Default: ./hegui-data."
        )
        var dataDirectory: String?

        /// The data directory: --data-dir, else HEGUI_DATA_DIR, else ./hegui-data.
        var path: String {
            self.dataDirectory ?? ProcessInfo.processInfo.environment["HEGUI_DATA_DIR"].flatMap {
                $0.isEmpty ? nil : $0
            } ?? "./hegui-data"
        }

        func open() async throws -> (SQLStore, AuditLog) {
            let path = self.path
            do {
                let directory = try DataDirectory.prepare(at: path)
                let logger = Logger(label: "hegui.audit")
                let store: SQLStore
                if let url = ProcessInfo.processInfo.environment["HEGUI_STORE_URL"], !url.isEmpty {
                    store = try await SQLStore.openPostgres(url: url, logger: logger)
                } else {
                    store = try await SQLStore.openSQLite(
                        path: directory.filePath(StoreLocation.sqliteFileName),
                        logger: logger
                    )
                }
                let keyFile = ProcessInfo.processInfo.environment["HEGUI_AUDIT_SIGNING_KEY_FILE"].flatMap {
                    $0.isEmpty ? nil : $0
                }
                let key = try AuditSigningKey.load(file: keyFile, in: directory)
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

        @Option(help: "Verify an exported bundle (hegui audit export) instead of the store; no database needed.")
        var bundle: String?

        func run() async throws {
            if let bundle = self.bundle {
                try Self.verifyBundle(at: bundle)
                return
            }
            let (findings, count, heads, publicKey) = try await self.location.withLog("verify") { store, log in
                (
                    try await log.verify(), try await store.auditEventCount(), try await store.treeHeads().count,
                    log.publicKey
                )
            }
            if findings.isEmpty {
                print("审计日志完整 / audit log intact: \(count) events, \(heads) signed tree heads")
                print("public key: \(HexEncoding.encode(publicKey))")
                return
            }
            for finding in findings {
                print("TAMPERED: \(finding)")
            }
            throw ExitCode(1)
        }
    }

    /// `hegui audit export`: an offline bundle an auditor verifies without the database.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an offline bundle: events, signed tree heads and the public key.",
            discussion: """
                The bundle holds events.jsonl (each event's canonical JSON, the exact bytes its Merkle \
                leaf commits to), tree_heads.jsonl and public_key. `hegui audit verify --bundle DIR` \
                checks it with no database; so can any RFC 6962 implementation (README.txt in the \
                bundle says how). Content kept as evidence is not exported.
                """
        )

        @OptionGroup var location: Location

        @Option(name: .shortAndLong, help: "The directory to write (created; must not exist).")
        var output: String

        func run() async throws {
            guard !FileManager.default.fileExists(atPath: self.output) else {
                throw ValidationError("\(self.output) exists already")
            }
            try await self.location.withLog("export") { store, log in
                try FileManager.default.createDirectory(atPath: self.output, withIntermediateDirectories: true)
                var events = Data()
                var next: UInt64 = 0
                var count = 0
                while true {
                    let leaves = try await store.auditLeaves(from: next, limit: 5_000)
                    guard let last = leaves.last else { break }
                    var kept = try await store.auditEvents(from: next, limit: 5_000).makeIterator()
                    var event = kept.next()?.0
                    for leaf in leaves {
                        if leaf.isPurged {
                            // Metadata purged at the end of its retention: the leaf hash stands in.
                            let marker: JSONValue = .object([
                                "purged": .bool(true),
                                "sequence": .number(String(leaf.sequence)),
                                "leaf_hash": .string(leaf.hash.hex),
                            ])
                            events.append(contentsOf: marker.serialized.utf8)
                        } else {
                            while let current = event, current.sequence < leaf.sequence { event = kept.next()?.0 }
                            guard let current = event, current.sequence == leaf.sequence else {
                                throw StoreError(.corrupt, "event \(leaf.sequence) changed during the export")
                            }
                            events.append(contentsOf: current.canonicalBytes)
                        }
                        events.append(0x0A)
                        count += 1
                    }
                    next = last.sequence + 1
                }
                var heads = ""
                for head in try await store.treeHeads() {
                    heads += head.json.serialized + "\n"
                }
                try events.write(to: URL(fileURLWithPath: self.output + "/events.jsonl"))
                try heads.write(toFile: self.output + "/tree_heads.jsonl", atomically: true, encoding: .utf8)
                try (HexEncoding.encode(log.publicKey) + "\n").write(
                    toFile: self.output + "/public_key",
                    atomically: true,
                    encoding: .utf8
                )
                try Self.readme.write(toFile: self.output + "/README.txt", atomically: true, encoding: .utf8)
                print("\(self.output): \(count) events")
            }
        }

        static let readme = """
            Hegui audit log export / 合规审计日志导出

            events.jsonl      one event per line: the exact bytes of its Merkle leaf; an event
                              whose metadata was purged at the end of its retention is the line
                              {"purged":true,"sequence":N,"leaf_hash":"<hex>"}
            tree_heads.jsonl  signed tree heads: tree_size, root (hex), time (ms), signature (hex)
            public_key        the Ed25519 public key (hex, 32 bytes)

            Leaf hash = SHA-256(0x00 || line bytes); node hash = SHA-256(0x01 || left || right);
            the tree over n leaves splits at the largest power of two below n (RFC 6962 §2.1,
            RFC 9162 §2.1). A tree head signs the UTF-8 text "hegui-sth-v1\n<tree_size>\n<root hex>\n<time>".

            Verify: hegui audit verify --bundle <this directory>

            """
    }

    /// `hegui audit sign`: signs a tree head over the log as it stands.
    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign and record a tree head over the audit log as it stands."
        )

        @OptionGroup var location: Location

        func run() async throws {
            let head = try await self.location.withLog("sign") { _, log in
                try await log.signTreeHead(time: Int64(Date().timeIntervalSince1970 * 1000))
            }
            print("tree size \(head.treeSize) root \(head.root.hex)")
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
            let proof = try await self.location.withLog("proof") { _, log -> JSONValue in
                if let sequence = self.sequence {
                    return try await log.provenInclusion(sequence: sequence, treeSize: self.treeSize).json
                }
                if let from = self.from, let to = self.to {
                    return try await log.provenConsistency(from: from, to: to).json
                }
                return .null
            }
            print(proof.serialized)
        }
    }

    /// `hegui audit purge`: applies the retention rules now (the gateway also does so hourly).
    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the retention rules now: erase old evidence, clear old audit metadata.",
            discussion: """
                Evidence older than --evidence-days is erased; events older than --metadata-days keep \
                only their sequence number, time and leaf hash, so the log and every signed tree head \
                still verify. Each purge is recorded as an audit event. A metadata period under six \
                months (184 days, OPS-1) needs --allow-short.
                """
        )

        @OptionGroup var location: Location

        @Option(name: .customLong("evidence-days"), help: "Evidence retention in days. Default: 180.")
        var evidenceDays = 180

        @Option(name: .customLong("metadata-days"), help: "Audit metadata retention in days. Default: 186.")
        var metadataDays = 186

        @Flag(name: .customLong("allow-short"), help: "Accept a metadata period shorter than six months.")
        var allowShort = false

        func validate() throws {
            guard self.evidenceDays >= 0, self.metadataDays >= 0 else {
                throw ValidationError("retention periods cannot be negative")
            }
            guard self.allowShort || self.metadataDays >= AuditLog.minimumMetadataRetentionDays else {
                throw ValidationError(
                    "OPS-1 requires audit logs to be kept at least six months (\(AuditLog.minimumMetadataRetentionDays) days); pass --allow-short to purge sooner"
                )
            }
        }

        func run() async throws {
            let (erased, purged) = try await self.location.withLog("purge") { _, log in
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                return (
                    try await log.purgeEvidence(retentionDays: self.evidenceDays, now: now),
                    try await log.purgeMetadata(retentionDays: self.metadataDays, now: now)
                )
            }
            print("evidence erased: \(erased); events purged: \(purged)")
        }
    }

}

extension AuditCommand.Location {
    /// Opens the store and the log, runs `body`, and closes the store; a failure is reported as
    /// `hegui audit <command>: <error>` with exit code 2.
    func withLog<Result>(
        _ command: String,
        _ body: (SQLStore, AuditLog) async throws -> Result
    ) async throws -> Result {
        let (store, log) = try await self.open()
        do {
            let result = try await body(store, log)
            await store.close()
            return result
        } catch {
            await store.close()
            FileHandle.standardError.write(Data("hegui audit \(command): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension AuditCommand.Verify {
    /// Verifies an export bundle without a database.
    static func verifyBundle(at path: String) throws {
        func read(_ name: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path + "/" + name),
                let text = String(validating: data, as: UTF8.self)
            else {
                FileHandle.standardError.write(Data("hegui audit verify: \(path)/\(name): cannot read\n".utf8))
                throw ExitCode(2)
            }
            return text
        }
        guard
            let publicKey = HexEncoding.decode(try read("public_key").trimmingCharacters(in: .whitespacesAndNewlines)),
            publicKey.count == 32
        else {
            FileHandle.standardError.write(Data("hegui audit verify: \(path)/public_key: not a 32-byte hex key\n".utf8))
            throw ExitCode(2)
        }
        var heads: [SignedTreeHead] = []
        for (number, line) in try read("tree_heads.jsonl").split(separator: "\n").enumerated() {
            guard case .object(let object) = try? JSONParser.parse(String(line)),
                case .number(let sizeText)? = object["tree_size"], let size = UInt64(sizeText),
                case .string(let rootText)? = object["root"], let root = MerkleHash(hex: rootText),
                case .number(let timeText)? = object["time"], let time = Int64(timeText),
                case .string(let signatureText)? = object["signature"],
                let signature = HexEncoding.decode(signatureText)
            else {
                print("TAMPERED: tree_heads.jsonl line \(number + 1) does not read as a tree head")
                throw ExitCode(1)
            }
            heads.append(SignedTreeHead(treeSize: size, root: root, time: time, signature: signature))
        }
        var verifier = AuditLogVerifier(publicKey: publicKey)
        var pending = heads.sorted { $0.treeSize < $1.treeSize }[...]
        func feedHeads() {
            while let head = pending.first, head.treeSize <= verifier.eventCount {
                verifier.feed(head)
                pending = pending.dropFirst()
            }
        }
        feedHeads()
        for (number, line) in try read("events.jsonl").split(separator: "\n").enumerated() {
            if case .object(let marker)? = try? JSONParser.parse(String(line)), marker["purged"] == .bool(true) {
                // An event whose metadata was purged at the end of its retention: its leaf hash.
                guard case .number(let sequenceText)? = marker["sequence"], let sequence = UInt64(sequenceText),
                    case .string(let hashText)? = marker["leaf_hash"], let hash = MerkleHash(hex: hashText)
                else {
                    print("TAMPERED: events.jsonl line \(number + 1) does not read as a purged event")
                    throw ExitCode(1)
                }
                verifier.feed(sequence: sequence, leaf: hash, storedLeafHash: hash)
                feedHeads()
                continue
            }
            guard let event = AuditEvent(canonicalJSON: String(line)) else {
                print("TAMPERED: events.jsonl line \(number + 1) does not read as an event")
                throw ExitCode(1)
            }
            // The line must be the canonical bytes themselves, or its leaf hash would differ.
            verifier.feed(event, storedLeafHash: MerkleTree.leafHash(Array(line.utf8)))
            feedHeads()
        }
        for head in pending { verifier.feed(head) }
        let findings = verifier.finish()
        if findings.isEmpty {
            print("审计日志完整 / audit log intact: \(verifier.eventCount) events, \(heads.count) signed tree heads (bundle)")
            return
        }
        for finding in findings {
            print("TAMPERED: \(finding)")
        }
        throw ExitCode(1)
    }
}
