import Foundation
package import HeguiCore

/// The tamper-evident audit log (OPS-1, IM-14, IM-15, IM-19): appends events with group commit,
/// signs tree heads, erases evidence, and verifies the whole log.
///
/// Appends that arrive while a write is in flight are gathered into the next transaction, so
/// concurrent writers share one disk sync: durability (an acknowledged event is on disk) does not
/// cost throughput.
package actor AuditLog {
    private let store: SQLStore
    private let privateKey: [UInt8]
    /// The raw Ed25519 public key that signs the tree heads.
    package nonisolated let publicKey: [UInt8]
    private var queue: [(AuditEventDraft, CheckedContinuation<AuditEvent, any Error>)] = []
    private var isWriting = false
    /// Where the signer stood at its last tree head: it goes on from there.
    private var signer: (accumulator: MerkleAccumulator, next: UInt64)?

    /// - Parameters:
    ///   - store: where the log lives.
    ///   - signingKey: the raw 32-byte Ed25519 private key.
    /// - Throws: ``StoreError`` (`invalid`) when the key is not 32 bytes.
    package init(store: SQLStore, signingKey: [UInt8]) throws {
        guard let publicKey = SignedTreeHead.publicKey(of: signingKey) else {
            throw StoreError(.invalid, "the audit signing key is not a 32-byte Ed25519 key")
        }
        self.store = store
        self.privateKey = signingKey
        self.publicKey = publicKey
    }

    /// Appends an event and returns it, numbered, once it is durably stored.
    ///
    /// The first caller while no write is in flight writes its own event at once, on its own task
    /// (no hand-over to another task on the way to the disk); callers that arrive meanwhile queue
    /// and go together in the next transaction.
    package func append(_ draft: AuditEventDraft) async throws -> AuditEvent {
        guard !self.isWriting else {
            return try await withCheckedThrowingContinuation { continuation in
                self.queue.append((draft, continuation))
            }
        }
        self.isWriting = true
        let result: Result<AuditEvent, any Error>
        do {
            result = .success(try await self.store.appendAuditEvents([draft])[0])
        } catch {
            result = .failure(error)
        }
        if self.queue.isEmpty {
            self.isWriting = false
        } else {
            Task { await self.drain() }
        }
        return try result.get()
    }

    private func drain() async {
        while !self.queue.isEmpty {
            let batch = self.queue
            self.queue = []
            do {
                let events = try await self.store.appendAuditEvents(batch.map(\.0))
                for (index, item) in batch.enumerated() {
                    item.1.resume(returning: events[index])
                }
            } catch {
                for item in batch {
                    item.1.resume(throwing: error)
                }
            }
        }
        self.isWriting = false
    }

    /// Signs and records a tree head over the whole log as it stands.
    ///
    /// Leaves never change once appended, so the signer goes on from where its last head left it
    /// (this process's, or the largest recorded head with its checkpoint that verifies under this
    /// log's key: another replica's, or an earlier run's) and reads only the events appended
    /// since; a log of millions of events is not re-read every interval. Only the first signing
    /// with no checkpoint reads the log from the start. An older row altered afterwards does not
    /// change what is signed next; ``verify()`` names it against the heads.
    package func signTreeHead(time: Int64) async throws -> SignedTreeHead {
        var (accumulator, next) = try await self.resumedSigner()
        try await self.forEachLeafPage(from: next) { page in
            for leaf in page where leaf.sequence >= next {
                accumulator.append(leaf.hash)
                next = leaf.sequence + 1
            }
        }
        let head = try SignedTreeHead.sign(
            treeSize: UInt64(accumulator.size),
            root: accumulator.root,
            time: time,
            privateKey: self.privateKey
        )
        try await self.store.recordTreeHead(
            head,
            checkpoint: AuditSignerCheckpoint(frontier: accumulator.frontier, nextSequence: next)
        )
        if next >= self.signer?.next ?? 0 { self.signer = (accumulator, next) }
        return head
    }

    /// The furthest point the signer can go on from: its own last head, or a recorded one that
    /// is further on, signed by this log's key and whose frontier gives its root; else the start.
    private func resumedSigner() async throws -> (MerkleAccumulator, UInt64) {
        let own = self.signer ?? (MerkleAccumulator(), 0)
        guard let (head, checkpoint) = try await self.store.latestTreeHeadCheckpoint(),
            checkpoint.nextSequence > own.next,
            head.isSigned(byPublicKey: self.publicKey),
            let accumulator = MerkleAccumulator(size: Int(head.treeSize), frontier: checkpoint.frontier),
            accumulator.root == head.root
        else { return own }
        return (accumulator, checkpoint.nextSequence)
    }

    /// Erases the evidence kept beside an event and records the erasure as an event of its own.
    package func eraseEvidence(sequence: UInt64, reason: String, time: Int64) async throws -> AuditEvent {
        try await self.store.eraseEvidence(sequence: sequence)
        return try await self.append(
            AuditEventDraft(
                type: "evidence.erased",
                time: time,
                details: ["sequence": String(sequence), "reason": reason]
            )
        )
    }

    /// Erases evidence older than the retention period and records the purge (IM-11, OPS-1): the
    /// events stay, so the log still verifies.
    /// - Returns: how many pieces of evidence were erased.
    package func purgeEvidence(retentionDays: Int, now: Int64) async throws -> Int {
        let cutoff = now - Int64(retentionDays) * 86_400_000
        let count = try await self.store.purgeEvidence(olderThan: cutoff)
        if count > 0 {
            _ = try await self.append(
                AuditEventDraft(
                    type: "evidence.purged",
                    time: now,
                    details: [
                        "count": String(count), "before": String(cutoff), "retention_days": String(retentionDays),
                    ]
                )
            )
        }
        return count
    }

    /// The event type that records a purge of audit metadata.
    package static let metadataPurgedType = "audit.metadata_purged"

    /// The shortest metadata retention the log accepts without an explicit override: six calendar
    /// months can span 184 days (OPS-1).
    package static let minimumMetadataRetentionDays = 184

    /// Clears the metadata of events older than the retention period (OPS-1.5, IM-11: keep only
    /// what the rules require, delete it when the period ends) and records the purge. Each purged
    /// row keeps its sequence number, time and leaf hash, so the tree and every signed head still
    /// verify; the record names the highest sequence number cleared, so that `verify` can tell a
    /// purge from a hand-made deletion.
    /// - Returns: how many events were purged.
    package func purgeMetadata(retentionDays: Int, now: Int64) async throws -> Int {
        let cutoff = now - Int64(retentionDays) * 86_400_000
        let (count, through) = try await self.store.purgeAuditMetadata(olderThan: cutoff, now: now)
        if count > 0, let through {
            _ = try await self.append(
                AuditEventDraft(
                    type: Self.metadataPurgedType,
                    time: now,
                    details: [
                        "count": String(count), "before": String(cutoff), "retention_days": String(retentionDays),
                        "through_sequence": String(through),
                    ]
                )
            )
        }
        return count
    }

    /// Re-derives the tree from the stored events and checks every signed tree head.
    /// - Returns: the findings; empty when the log is intact.
    package func verify() async throws -> [AuditLogVerifier.Finding] {
        var verifier = AuditLogVerifier(publicKey: self.publicKey)
        var heads = try await self.store.treeHeads()[...]
        func feedHeads() {
            while let head = heads.first, head.treeSize <= verifier.eventCount {
                verifier.feed(head)
                heads = heads.dropFirst()
            }
        }
        feedHeads()
        var lastPurged: UInt64?
        try await self.forEachLeafPage { page in
            for leaf in page {
                verifier.feed(sequence: leaf.sequence, leaf: leaf.hash, storedLeafHash: leaf.stored)
                if leaf.isPurged { lastPurged = leaf.sequence }
                feedHeads()
            }
        }
        for head in heads { verifier.feed(head) }
        var findings = verifier.finish()
        // Purges go oldest first and each records the highest sequence number it cleared; the
        // newest record covers every purged row.
        if let lastPurged {
            let through = try await self.store.latestAuditEvent(type: Self.metadataPurgedType)
                .flatMap { $0.details["through_sequence"].flatMap(UInt64.init) }
            if through.map({ lastPurged > $0 }) ?? true {
                findings.append(.unrecordedPurge(sequence: lastPurged))
            }
        }
        return findings
    }
}

/// A 32-byte key kept as hex in a file: the operator's, or one in the data directory (mode 0600)
/// made on first use (an Ed25519 private key, which also serves as an HMAC secret).
package enum KeyFile {
    /// The key in an operator's file (64 hex digits; e.g. one key shared by every replica).
    /// - Throws: ``StoreError`` (`invalid`) when the file cannot be read or holds no key.
    package static func load(path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8),
            let key = HexEncoding.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32
        else {
            throw StoreError(.invalid, "\(path) does not hold a 32-byte hex key")
        }
        return key
    }

    /// The operator's key file when one is named, else `name` in the data directory.
    package static func load(file: String?, named name: String, in directory: DataDirectory) throws -> [UInt8] {
        if let file { return try Self.load(path: file) }
        return try Self.loadOrCreate(named: name, in: directory)
    }

    /// The key `name` in the data directory, created when absent.
    /// - Throws: ``StoreError`` (`invalid`) when the file does not hold a key.
    package static func loadOrCreate(named name: String, in directory: DataDirectory) throws -> [UInt8] {
        if let text = try directory.readText(name) {
            guard let key = HexEncoding.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32
            else {
                throw StoreError(.invalid, "\(directory.filePath(name)) does not hold a 32-byte hex key")
            }
            return key
        }
        let pair = SignedTreeHead.makeKeyPair()
        try directory.createSecretFile(name, contents: HexEncoding.encode(pair.privateKey) + "\n")
        return pair.privateKey
    }
}

/// The audit log's Ed25519 signing key (`audit-signing-key` in the data directory, or the
/// operator's file).
package enum AuditSigningKey {
    package static let fileName = "audit-signing-key"

    package static func load(path: String) throws -> [UInt8] { try KeyFile.load(path: path) }

    package static func load(file: String?, in directory: DataDirectory) throws -> [UInt8] {
        try KeyFile.load(file: file, named: Self.fileName, in: directory)
    }

    package static func loadOrCreate(in directory: DataDirectory) throws -> [UInt8] {
        try KeyFile.loadOrCreate(named: Self.fileName, in: directory)
    }
}

extension AuditLog {
    /// Calls `body` with the log's leaves from sequence number `first` on, page by page in
    /// sequence order, reading (and hashing) the next page on another thread while `body` works on
    /// the current one. Pages are ranges of sequence numbers, so a missing row shows as a gap
    /// rather than shifting later pages.
    func forEachLeafPage(from first: UInt64 = 0, _ body: ([AuditLeaf]) throws -> Void) async throws {
        let store = self.store
        guard let top = try await store.highestAuditSequence(), top >= first else { return }
        let pageSize: UInt64 = 8_192
        func read(_ start: UInt64) -> Task<[AuditLeaf], any Error> {
            Task.detached {
                let page = try await store.auditLeaves(from: start, limit: Int(pageSize))
                guard let last = page.last, last.sequence >= start + pageSize else { return page }
                return page.filter { $0.sequence < start + pageSize }
            }
        }
        var start = first
        var pending: Task<[AuditLeaf], any Error>? = read(first)
        while let current = pending {
            let page = try await current.value
            start += pageSize
            pending = start <= top ? read(start) : nil
            do {
                try body(page)
            } catch {
                pending?.cancel()
                throw error
            }
        }
    }

    /// Every signed tree head, smallest first.
    package func treeHeads() async throws -> [SignedTreeHead] {
        try await self.store.treeHeads()
    }

    /// The event numbered `sequence` with the leaf hash stored beside it, if there is one.
    package func event(sequence: UInt64) async throws -> (AuditEvent, MerkleHash?)? {
        guard let found = try await self.store.auditEvents(from: sequence, limit: 1).first,
            found.0.sequence == sequence
        else { return nil }
        return found
    }

    /// Events from `sequence` on, at most `limit`.
    package func events(from sequence: UInt64, limit: Int) async throws -> [(AuditEvent, MerkleHash?)] {
        try await self.store.auditEvents(from: sequence, limit: limit)
    }

    /// Every stored leaf hash, in sequence order (for proofs).
    func leafHashes() async throws -> [MerkleHash] {
        var leaves: [MerkleHash] = []
        try await self.forEachLeafPage { page in
            leaves.append(contentsOf: page.lazy.map(\.hash))
        }
        return leaves
    }

    /// The inclusion proof of an event in the tree of a signed tree head.
    /// - Throws: ``StoreError`` (`invalid`) when the event is not covered by the head.
    package func inclusionProof(sequence: UInt64, treeSize: UInt64) async throws -> [MerkleHash] {
        let leaves = try await self.leafHashes()
        guard sequence < treeSize, treeSize <= UInt64(leaves.count) else {
            throw StoreError(.invalid, "event \(sequence) is not in a tree of size \(treeSize)")
        }
        return MerkleTree.inclusionProof(index: Int(sequence), leaves: leaves[0..<Int(treeSize)])
    }

    /// The consistency proof between two tree sizes.
    /// - Throws: ``StoreError`` (`invalid`) for sizes the log does not have.
    package func consistencyProof(from oldSize: UInt64, to newSize: UInt64) async throws -> [MerkleHash] {
        let leaves = try await self.leafHashes()
        guard oldSize > 0, oldSize <= newSize, newSize <= UInt64(leaves.count) else {
            throw StoreError(.invalid, "no consistency proof from size \(oldSize) to \(newSize)")
        }
        return MerkleTree.consistencyProof(oldSize: Int(oldSize), leaves: leaves[0..<Int(newSize)])
    }
}
