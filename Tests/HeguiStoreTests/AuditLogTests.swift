import Foundation
import HeguiCore
import HeguiTesting
import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import Testing

@testable import HeguiStore

typealias Backend = StoreBackend

/// The audit log against every backend: a contract suite. Requirement IDs: OPS-1, IM-14.5,
/// IM-15, IM-19, IM-11.
@Suite struct AuditLogTests {
    static func withLog(
        _ backend: Backend,
        _ body: (SQLStore, AuditLog, String) async throws -> Void
    ) async throws {
        try await backend.withStore { store, directory in
            let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
            try await body(store, log, directory + "/hegui.sqlite")
        }
    }

    static func draft(_ index: Int, evidence: String? = nil) -> AuditEventDraft {
        AuditEventDraft(
            type: index % 4 == 0 ? "moderation.blocked" : "moderation.checked",
            time: 1_764_000_000_000 + Int64(index),
            tenant: "app",
            user: "u\(index % 7)",
            requestID: "req_\(index)",
            action: index % 4 == 0 ? .block : .allow,
            risks: index % 4 == 0 ? [RiskCode.personalInformation] : [],
            contentDigest: String(repeating: "cd", count: 32),
            details: ["direction": "input"],
            evidence: evidence
        )
    }

    @Test(arguments: Backend.allCases)
    func concurrentAppendsKeepOneLinearSequence(backend: Backend) async throws {
        try await Self.withLog(backend) { store, log, _ in
            let sequences = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                for task in 0..<20 {
                    group.addTask {
                        var mine: [UInt64] = []
                        for index in 0..<25 {
                            mine.append(try await log.append(Self.draft(task * 100 + index)).sequence)
                        }
                        return mine
                    }
                }
                var all: [UInt64] = []
                for try await part in group { all += part }
                return all
            }
            #expect(sequences.sorted() == Array(0..<500))
            #expect(try await store.auditEventCount() == 500)
            _ = try await log.signTreeHead(time: 1)
            #expect(try await log.verify().isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func eventsReadBackAsWritten(backend: Backend) async throws {
        try await Self.withLog(backend) { store, log, _ in
            let written = try await log.append(Self.draft(4, evidence: "违规内容原文"))
            let read = try await store.auditEvents(from: 0, limit: 10)
            #expect(read.count == 1)
            #expect(read[0].0 == written)
            #expect(read[0].1 == written.leafHash)
            #expect(try await store.evidence(sequence: 0) == "违规内容原文")
        }
    }

    @Test(arguments: Backend.allCases)
    func tamperingIsNamedBySequence(backend: Backend) async throws {
        try await Self.withLog(backend) { store, log, _ in
            for index in 0..<30 { _ = try await log.append(Self.draft(index)) }
            _ = try await log.signTreeHead(time: 1)
            for index in 30..<40 { _ = try await log.append(Self.draft(index)) }
            _ = try await log.signTreeHead(time: 2)
            #expect(try await log.verify().isEmpty)

            // Altered content, leaf hash left: the event is named.
            try await store.database.raw("UPDATE audit_events SET action = 'allow' WHERE seq = 8").run()
            #expect(try await log.verify().first == .alteredEvent(sequence: 8))

            // Altered with a recomputed leaf hash: the first tree head covering it disagrees.
            let (event, _) = try await store.auditEvents(from: 8, limit: 1)[0]
            try await store.database.raw(
                "UPDATE audit_events SET leaf_hash = \(bind: event.leafHash.hex) WHERE seq = 8"
            ).run()
            #expect(try await log.verify().first == .rootMismatch(treeSize: 30, firstSuspect: 0))

            // A deleted event breaks the sequence.
            try await store.database.raw("DELETE FROM audit_events WHERE seq = 33").run()
            #expect(try await log.verify().contains(.sequenceBreak(expected: 33, found: 34)))
        }
    }

    @Test(arguments: Backend.allCases)
    func reorderedEventsAreNamed(backend: Backend) async throws {
        try await Self.withLog(backend) { store, log, _ in
            for index in 0..<10 { _ = try await log.append(Self.draft(index)) }
            _ = try await log.signTreeHead(time: 1)
            // Swap the contents of events 3 and 4 (their numbers stay).
            try await store.database.raw("UPDATE audit_events SET seq = -1 WHERE seq = 3").run()
            try await store.database.raw("UPDATE audit_events SET seq = 3 WHERE seq = 4").run()
            try await store.database.raw("UPDATE audit_events SET seq = 4 WHERE seq = -1").run()
            #expect(try await log.verify().first == .alteredEvent(sequence: 3))
        }
    }

    @Test(arguments: Backend.allCases)
    func erasingEvidenceKeepsTheLogValid(backend: Backend) async throws {
        try await Self.withLog(backend) { store, log, _ in
            let event = try await log.append(Self.draft(0, evidence: "要删除的证据"))
            _ = try await log.signTreeHead(time: 1)
            let erasure = try await log.eraseEvidence(sequence: event.sequence, reason: "pi_deletion", time: 2)
            #expect(erasure.type == "evidence.erased")
            #expect(erasure.details == ["sequence": "0", "reason": "pi_deletion"])
            #expect(try await store.evidence(sequence: 0) == nil)
            _ = try await log.signTreeHead(time: 3)
            #expect(try await log.verify().isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func evidencePastRetentionIsErasedAndTheLogStillVerifies(backend: Backend) async throws {
        try await Self.withLog(backend) { store, log, _ in
            let day: Int64 = 86_400_000
            let now: Int64 = 1_764_000_000_000
            var old = Self.draft(0, evidence: "旧证据")
            old.time = now - 200 * day
            var recent = Self.draft(1, evidence: "新证据")
            recent.time = now - 10 * day
            _ = try await log.append(old)
            _ = try await log.append(recent)
            _ = try await log.signTreeHead(time: now)
            #expect(try await log.purgeEvidence(retentionDays: 180, now: now) == 1)
            #expect(try await store.evidence(sequence: 0) == nil)
            #expect(try await store.evidence(sequence: 1) == "新证据")
            let purge = try await store.auditEvents(from: 2, limit: 1)[0].0
            #expect(purge.type == "evidence.purged" && purge.details["count"] == "1")
            #expect(try await log.purgeEvidence(retentionDays: 180, now: now) == 0)
            #expect(try await store.auditEventCount() == 3)
            _ = try await log.signTreeHead(time: now + 1)
            #expect(try await log.verify().isEmpty)
        }
    }

    /// Two stores on one SQLite file, as two processes would be: each appends with one statement
    /// numbered from what it last wrote, and when the other has appended since, the primary key
    /// refuses the numbers and the append is redone in a transaction: one gapless sequence, every
    /// returned number the stored one, and the log verifies.
    @Test func twoWritersOnOneSQLiteFileKeepOneSequence() async throws {
        let key = SignedTreeHead.makeKeyPair().privateKey
        try await Self.withLog(.sqlite) { store, _, path in
            let first = try AuditLog(store: store, signingKey: key)
            let other = try await SQLStore.openSQLite(path: path, logger: Logger(label: "test"))
            let second = try AuditLog(store: other, signingKey: key)
            var appended: [(UInt64, String)] = []
            for round in 0..<6 {
                let writer = round % 3 == 2 ? second : first
                for index in 0..<3 {
                    let draft = Self.draft(round * 10 + index, evidence: index == 1 && round == 4 ? "证据" : nil)
                    let event = try await writer.append(draft)
                    appended.append((event.sequence, draft.requestID ?? ""))
                }
            }
            #expect(appended.map(\.0) == Array(0..<18))
            for (sequence, requestID) in appended {
                #expect(try await store.auditEvents(from: sequence, limit: 1).first?.0.requestID == requestID)
            }
            #expect(try await store.evidence(sequence: 13) == "证据")
            await other.close()
            #expect(try await first.verify().isEmpty)
        }
    }

    @Test func reopeningKeepsTheLogAndTheSchema() async throws {
        try await Self.withLog(.sqlite) { store, log, path in
            for index in 0..<5 { _ = try await log.append(Self.draft(index)) }
            let reopened = try await SQLStore.openSQLite(path: path, logger: Logger(label: "test"))
            #expect(try await reopened.auditEventCount() == 5)
            try await reopened.database.raw(
                "INSERT INTO hegui_migrations (version, name, applied_at) VALUES (999, 'future', 0)"
            ).run()
            await reopened.close()
            await #expect {
                _ = try await SQLStore.openSQLite(path: path, logger: Logger(label: "test"))
            } throws: { error in
                "\(error)".contains("newer than this build knows")
            }
        }
    }

    @Test func theSigningKeyIsCreatedOnceWithMode0600() throws {
        let path = NSTemporaryDirectory() + "hegui-key-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try DataDirectory.prepare(at: path)
        let key = try AuditSigningKey.loadOrCreate(in: directory)
        #expect(key.count == 32)
        #expect(try AuditSigningKey.loadOrCreate(in: directory) == key)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.filePath(AuditSigningKey.fileName))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

/// Pseudonymous user ids and their mapping. Requirement IDs: IM-11, OPS-8.
@Suite struct PseudonymTests {
    @Test func pseudonymsAreKeyedAndPerTenant() {
        let key = UserPseudonym.makeKey()
        let first = UserPseudonym.make(tenant: "app", user: "alice", key: key)
        #expect(first.count == 64)
        #expect(UserPseudonym.make(tenant: "app", user: "alice", key: key) == first)
        #expect(UserPseudonym.make(tenant: "other", user: "alice", key: key) != first)
        #expect(UserPseudonym.make(tenant: "app", user: "alice", key: UserPseudonym.makeKey()) != first)
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        #expect(
            UserPseudonym.make(tenant: "ab", user: "c", key: key)
                != UserPseudonym.make(tenant: "a", user: "bc", key: key)
        )
    }

    @Test(arguments: Backend.allCases)
    func theMappingIsRememberedAndForgotten(backend: Backend) async throws {
        try await AuditLogTests.withLog(backend) { store, _, _ in
            let key = UserPseudonym.makeKey()
            let pseudonym = UserPseudonym.make(tenant: "app", user: "alice", key: key)
            try await store.rememberPseudonym(pseudonym, tenant: "app", user: "alice", time: 1)
            try await store.rememberPseudonym(pseudonym, tenant: "app", user: "alice", time: 2)
            #expect(try await store.pseudonyms(tenant: "app", user: "alice") == [pseudonym])
            #expect(try await store.forgetUser(tenant: "app", user: "alice") == 1)
            #expect(try await store.pseudonyms(tenant: "app", user: "alice").isEmpty)
        }
    }

    @Test func theKeyIsCreatedOnceWithMode0600() throws {
        let path = NSTemporaryDirectory() + "hegui-pseudonym-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try DataDirectory.prepare(at: path)
        let key = try PseudonymKey.loadOrCreate(in: directory)
        #expect(key.count == 32)
        #expect(try PseudonymKey.loadOrCreate(in: directory) == key)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.filePath(PseudonymKey.fileName))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

/// Retention of audit metadata (OPS-1: at least six months, then deleted per OPS-1.5; IM-11).
@Suite struct AuditMetadataRetentionTests {
    static let day: Int64 = 86_400_000
    static let now: Int64 = 1_764_000_000_000

    @Test(arguments: Backend.allCases)
    func metadataPastRetentionIsPurgedAndTheLogStillVerifies(backend: Backend) async throws {
        try await AuditLogTests.withLog(backend) { store, log, _ in
            // Events 200, 187, 185 and 10 days old; retention 186 days.
            for (index, age) in [200, 187, 185, 10].enumerated() {
                var draft = AuditLogTests.draft(index, evidence: "证据\(index)")
                draft.time = Self.now - Int64(age) * Self.day
                _ = try await log.append(draft)
            }
            let before = try await log.signTreeHead(time: Self.now - 1)
            #expect(try await log.purgeMetadata(retentionDays: 186, now: Self.now) == 2)

            // Purged: no metadata, no evidence. Kept: readable as written, at day 185 too.
            let kept = try await store.auditEvents(from: 0, limit: 10).map(\.0)
            #expect(kept.map(\.sequence) == [2, 3, 4])
            #expect(kept[0].user == "u2" && kept[0].requestID == "req_2")
            #expect(try await store.evidence(sequence: 0) == nil)
            #expect(try await store.evidence(sequence: 1) == nil)
            #expect(try await store.evidence(sequence: 2) == "证据2")
            let record = kept[2]
            #expect(record.type == AuditLog.metadataPurgedType)
            #expect(record.details["count"] == "2" && record.details["through_sequence"] == "1")
            #expect(try await store.auditEventCount() == 5)

            // The head signed before the purge and one signed after both verify, and proofs work.
            let after = try await log.signTreeHead(time: Self.now + 1)
            #expect(try await log.verify().isEmpty)
            let proof = try await log.provenInclusion(sequence: 3, treeSize: before.treeSize)
            #expect(proof.event.sequence == 3)
            _ = try await log.provenConsistency(from: before.treeSize, to: after.treeSize)

            // A second run finds nothing more to purge and records nothing.
            #expect(try await log.purgeMetadata(retentionDays: 186, now: Self.now) == 0)
            #expect(try await store.auditEventCount() == 5)
        }
    }

    @Test(arguments: Backend.allCases)
    func aPurgeMadeByHandIsNamed(backend: Backend) async throws {
        try await AuditLogTests.withLog(backend) { store, log, _ in
            for index in 0..<6 {
                var draft = AuditLogTests.draft(index)
                draft.time = Self.now - Int64(300 - index) * Self.day
                _ = try await log.append(draft)
            }
            _ = try await log.signTreeHead(time: Self.now)
            // Someone clears event 4's metadata directly, hoping it passes for retention.
            try await store.database.raw(
                "UPDATE audit_events SET type = '', end_user = NULL, details = '{}', purged_at = 1 WHERE seq = 4"
            ).run()
            #expect(try await log.verify() == [.unrecordedPurge(sequence: 4)])
            // A real purge covering it (all six are over 186 days old) makes the log whole again.
            #expect(try await log.purgeMetadata(retentionDays: 186, now: Self.now) == 5)
            #expect(try await log.verify().isEmpty)
        }
    }
}

/// The tamper case the other tests leave out: an event inserted into the middle of the log.
@Suite struct AuditInsertionTests {
    @Test(arguments: Backend.allCases)
    func anInsertedEventIsNamed(backend: Backend) async throws {
        try await AuditLogTests.withLog(backend) { store, log, _ in
            for index in 0..<4 { _ = try await log.append(AuditLogTests.draft(index)) }
            _ = try await log.signTreeHead(time: 1)
            for index in 4..<10 { _ = try await log.append(AuditLogTests.draft(index)) }
            _ = try await log.signTreeHead(time: 2)
            #expect(try await log.verify().isEmpty)

            // Shift events 6… up by one and slip a well-formed forged event in at 6, leaf hash
            // and all: every row is self-consistent, so only the signed root can tell.
            try await store.database.raw("UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 6").run()
            try await store.database.raw("UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1000").run()
            let forged = AuditEvent(
                sequence: 6,
                type: "moderation.checked",
                time: 5,
                tenant: "app",
                risks: [],
                details: [:]
            )
            try await store.database.insert(into: "audit_events").columns(SQLStore.auditColumns)
                .values(SQLStore.row(of: forged)).run()
            let findings = try await log.verify()
            // The first shifted event is named (its leaf commits to its old number), and the head
            // of size 10 no longer matches after the last intact head, at 4.
            #expect(findings.first == .alteredEvent(sequence: 7))
            #expect(findings.contains(.rootMismatch(treeSize: 10, firstSuspect: 4)))
        }
    }
}

/// An operator-supplied signing key (issue 4: "generated on first start … or supplied by the
/// operator"), e.g. one key for every replica of a PostgreSQL log.
@Suite struct OperatorSigningKeyTests {
    @Test func aKeyFileTakesPrecedenceAndBadOnesAreRefused() throws {
        let path = NSTemporaryDirectory() + "hegui-opkey-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try DataDirectory.prepare(at: path)
        let pair = SignedTreeHead.makeKeyPair()
        let file = directory.filePath("operator-key")
        try (HexEncoding.encode(pair.privateKey) + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try AuditSigningKey.load(file: file, in: directory) == pair.privateKey)
        // With a key file, none is created in the data directory.
        #expect(!FileManager.default.fileExists(atPath: directory.filePath(AuditSigningKey.fileName)))
        try "not a key".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) { try AuditSigningKey.load(file: file, in: directory) }
        #expect(throws: StoreError.self) { try AuditSigningKey.load(file: path + "/missing", in: directory) }
        #expect(try AuditSigningKey.load(file: nil, in: directory).count == 32)
    }
}

/// The signer goes on from its last tree head (OPS-1, IM-19): each signing reads only the events
/// appended since, in this process or after a restart, and a checkpoint it cannot trust is passed
/// over for a reading from the start.
@Suite struct AuditSignerCheckpointTests {
    /// Appends `range` and returns the events as written.
    static func append(_ range: Range<Int>, to log: AuditLog) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        for index in range { events.append(try await log.append(AuditLogTests.draft(index))) }
        return events
    }

    static func root(_ events: [AuditEvent]) -> MerkleHash {
        MerkleTree.root(of: events.map(\.leafHash))
    }

    /// Alters event 5's content so that its derived leaf no longer matches what was signed.
    static func alterEventFive(_ store: SQLStore) async throws {
        try await store.database.raw("UPDATE audit_events SET action = 'allow', end_user = 'x' WHERE seq = 5").run()
    }

    @Test(arguments: Backend.allCases)
    func aSigningReadsOnlyTheEventsSinceTheLast(backend: Backend) async throws {
        try await AuditLogTests.withLog(backend) { store, log, _ in
            var written = try await Self.append(0..<30, to: log)
            let first = try await log.signTreeHead(time: 1)
            #expect(first.treeSize == 30 && first.root == Self.root(written))
            // A row already signed is altered: a signer that re-read the log would sign it over.
            try await Self.alterEventFive(store)
            written += try await Self.append(30..<45, to: log)
            let second = try await log.signTreeHead(time: 2)
            #expect(second.treeSize == 45 && second.root == Self.root(written))
            #expect(try await log.verify().first == .alteredEvent(sequence: 5))
            // Nothing appended: the same root again, a larger time.
            let third = try await log.signTreeHead(time: 3)
            #expect(third.treeSize == 45 && third.root == second.root)
        }
    }

    @Test(arguments: Backend.allCases)
    func anotherProcessGoesOnFromTheRecordedCheckpoint(backend: Backend) async throws {
        try await backend.withStore { store, _ in
            let key = SignedTreeHead.makeKeyPair().privateKey
            var written = try await Self.append(0..<20, to: AuditLog(store: store, signingKey: key))
            _ = try await AuditLog(store: store, signingKey: key).signTreeHead(time: 1)
            try await Self.alterEventFive(store)
            // A fresh log on the same key (a restart, or another replica) goes on from the head.
            let restarted = try AuditLog(store: store, signingKey: key)
            written += try await Self.append(20..<26, to: restarted)
            let head = try await restarted.signTreeHead(time: 2)
            #expect(head.treeSize == 26 && head.root == Self.root(written))

            // A log under another key cannot vouch for the checkpoint: it reads the log from the
            // start, altered row and all.
            let other = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
            let reread = try await other.signTreeHead(time: 3)
            let current = try await store.auditLeaves(from: 0, limit: 100).map(\.hash)
            #expect(reread.treeSize == 26 && reread.root == MerkleTree.root(of: current))
            #expect(reread.root != head.root)
        }
    }

    @Test(arguments: Backend.allCases)
    func aCheckpointThatDoesNotGiveItsRootIsPassedOver(backend: Backend) async throws {
        try await backend.withStore { store, _ in
            let key = SignedTreeHead.makeKeyPair().privateKey
            let written = try await Self.append(0..<12, to: AuditLog(store: store, signingKey: key))
            let signed = try await AuditLog(store: store, signingKey: key).signTreeHead(time: 1)
            // Twelve leaves: two complete subtrees. Swap them: the right count, the wrong root.
            let stored = try #require(try await store.latestTreeHeadCheckpoint())
            #expect(stored.0 == signed && stored.1.nextSequence == 12 && stored.1.frontier.count == 2)
            let swapped = AuditSignerCheckpoint(frontier: stored.1.frontier.reversed(), nextSequence: 12)
            try await store.database.raw(
                "UPDATE audit_tree_heads SET frontier = \(bind: swapped.frontierText) WHERE tree_size = 12"
            ).run()
            try await Self.alterEventFive(store)
            let head = try await AuditLog(store: store, signingKey: key).signTreeHead(time: 2)
            // Read from the start: the altered row is in the new root, and verify names it.
            let current = try await store.auditLeaves(from: 0, limit: 100).map(\.hash)
            #expect(head.root == MerkleTree.root(of: current) && head.root != Self.root(written))

            // Garbage in the column is passed over the same way.
            try await store.database.raw("UPDATE audit_tree_heads SET frontier = 'zz'").run()
            #expect(try await store.latestTreeHeadCheckpoint() == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func aGapSinceTheLastHeadIsSignedAsAReadingFromTheStartWouldSignIt(backend: Backend) async throws {
        try await backend.withStore { store, _ in
            let key = SignedTreeHead.makeKeyPair().privateKey
            let log = try AuditLog(store: store, signingKey: key)
            _ = try await Self.append(0..<10, to: log)
            _ = try await log.signTreeHead(time: 1)
            _ = try await Self.append(10..<16, to: log)
            try await store.database.raw("DELETE FROM audit_events WHERE seq = 12").run()
            let incremental = try await log.signTreeHead(time: 2)
            let fromStart = try await AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
                .signTreeHead(time: 3)
            #expect(incremental.treeSize == 15 && fromStart.treeSize == 15)
            #expect(incremental.root == fromStart.root)
            // The next signing goes on after the last row read, not at the tree's size.
            _ = try await Self.append(16..<18, to: log)
            let next = try await log.signTreeHead(time: 4)
            #expect(next.treeSize == 17)
            #expect(try await log.verify().contains(.sequenceBreak(expected: 12, found: 13)))
        }
    }
}

/// The hourly retention purges run under the log's write lock, so none may scan the log: SQLite's
/// plan for each of their statements reads events by index only (OPS-1, IM-11).
@Suite struct AuditRetentionPlanTests {
    static let statements: [(String, SQLQueryString)] = [
        ("count evidence", SQLStore.countEvidenceSQL(olderThan: 5)),
        ("delete evidence", SQLStore.deleteEvidenceSQL(olderThan: 5)),
        ("count unpurged", SQLStore.countUnpurgedSQL(olderThan: 5)),
        ("delete unpurged evidence", SQLStore.deleteUnpurgedEvidenceSQL(olderThan: 5)),
        ("purge metadata", SQLStore.purgeMetadataSQL(olderThan: 5, now: 6)),
    ]

    @Test(arguments: Self.statements)
    func aRetentionPurgeReadsEventsByIndex(name: String, statement: SQLQueryString) async throws {
        try await Backend.sqlite.withStore { store, _ in
            let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
            for index in 0..<20 { _ = try await log.append(AuditLogTests.draft(index, evidence: "证据")) }
            let plan = try await store.database.raw("EXPLAIN QUERY PLAN " + statement).all()
                .map { try $0.decode(column: "detail", as: String.self) }
            #expect(!plan.isEmpty)
            // Scanning the evidence table is allowed (violations only); the events table never.
            let scans = plan.filter { $0.hasPrefix("SCAN") && !$0.hasPrefix("SCAN audit_evidence") }
            #expect(scans.isEmpty, "\(name): \(plan)")
        }
    }
}
