// Measures the audit log on SQLite: durable appends with concurrent writers (group commit), and
// `verify` over a large log. Prints one JSON line.
//
//   HEGUI_BENCHMARKS=1 swift build -c release --product audit-bench
//   audit-bench [--writers 64] [--per-writer 500] [--verify-events 1000000] [--rounds 3] [--postgres URL]
//
// `verify` runs --rounds times over the same log; each time is reported. Tree-head signing is
// timed over the whole log first, then over 10,000 events appended since (in this process and in a
// new one going on from the recorded checkpoint). An hourly retention pass is timed too.
import Foundation
import HeguiCore
import HeguiStore
import Logging

var arguments = CommandLine.arguments.dropFirst()
var writers = 64
var perWriter = 500
var verifyEvents = 1_000_000
var postgresURL: String?
var rounds = 3
while let argument = arguments.popFirst() {
    switch argument {
    case "--writers": writers = Int(arguments.popFirst() ?? "") ?? writers
    case "--per-writer": perWriter = Int(arguments.popFirst() ?? "") ?? perWriter
    case "--verify-events": verifyEvents = Int(arguments.popFirst() ?? "") ?? verifyEvents
    case "--postgres": postgresURL = arguments.popFirst()
    case "--rounds": rounds = Int(arguments.popFirst() ?? "") ?? rounds
    default:
        FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func draft(_ index: Int) -> AuditEventDraft {
    AuditEventDraft(
        type: "moderation.checked",
        time: 1_764_000_000_000 + Int64(index),
        tenant: "app",
        user: "u\(index % 1000)",
        requestID: "req_\(index)",
        action: index % 50 == 0 ? .block : .allow,
        risks: index % 50 == 0 ? [RiskCode.personalInformation] : [],
        contentDigest: String(repeating: "ab", count: 32),
        details: ["direction": "input"]
    )
}

let directory = NSTemporaryDirectory() + "hegui-audit-bench-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let logger = Logger(label: "audit-bench")

// Durable appends from concurrent writers, each waiting for its acknowledgement.
// With --postgres URL (an empty database), the appends go to PostgreSQL instead.
let store: SQLStore
if let postgresURL {
    store = try await SQLStore.openPostgres(url: postgresURL, logger: logger)
} else {
    store = try await SQLStore.openSQLite(path: directory + "/append.sqlite", logger: logger)
}
let log = try AuditLog(store: store, signingKey: SignedTreeHead.makeKeyPair().privateKey)
let appendStart = now()
let writerCount = writers
let eventsPerWriter = perWriter
try await withThrowingTaskGroup(of: Void.self) { group in
    for writer in 0..<writerCount {
        group.addTask {
            for index in 0..<eventsPerWriter {
                _ = try await log.append(draft(writer * eventsPerWriter + index))
            }
        }
    }
    try await group.waitForAll()
}
let appendSeconds = now() - appendStart
let appended = writers * perWriter
await store.close()

// Verify over a large log, written in bulk.
let big = try await SQLStore.openSQLite(path: directory + "/verify.sqlite", logger: logger)
let signingKey = SignedTreeHead.makeKeyPair().privateKey
var bigLog = try AuditLog(store: big, signingKey: signingKey)
/// Appends events `from..<from + total` in bulk; returns the next number.
func appendInBulk(from: Int, _ total: Int) async throws -> Int {
    var written = from
    while written < from + total {
        let count = min(10_000, from + total - written)
        _ = try await big.appendAuditEvents(
            (written..<(written + count)).map { index in
                var event = draft(index)
                if index % 50 == 0 { event.evidence = "违规内容 \(index)" }  // a blocked prompt's evidence
                return event
            }
        )
        written += count
    }
    return written
}
var written = try await appendInBulk(from: 0, verifyEvents)
// Signing: the first head reads the whole log; the next ones only what was appended since
// (10,000 events), in the same process and in a new one going on from the recorded checkpoint.
var signStart = now()
_ = try await bigLog.signTreeHead(time: 1)
let signFirstSeconds = now() - signStart
written = try await appendInBulk(from: written, 10_000)
signStart = now()
_ = try await bigLog.signTreeHead(time: 2)
let signNextSeconds = now() - signStart
written = try await appendInBulk(from: written, 10_000)
bigLog = try AuditLog(store: big, signingKey: signingKey)
signStart = now()
_ = try await bigLog.signTreeHead(time: 3)
let signRestartedSeconds = now() - signStart
// An hourly retention pass: evidence and metadata of the oldest 5,000 events are past their
// 186 days (the purges must find them without scanning the log under its write lock).
let retentionStart = now()
let retentionNow: Int64 = 1_764_000_000_000 + 186 * 86_400_000 + 5_000
let erased = try await bigLog.purgeEvidence(retentionDays: 186, now: retentionNow)
let purged = try await bigLog.purgeMetadata(retentionDays: 186, now: retentionNow)
let retentionSeconds = now() - retentionStart
precondition(erased == 100 && purged == 5_000, "the retention pass purged \(erased) and \(purged)")
var verifyTimes: [Double] = []
for _ in 0..<max(rounds, 1) {
    let verifyStart = now()
    let findings = try await bigLog.verify()
    verifyTimes.append(now() - verifyStart)
    precondition(findings.isEmpty, "the benchmark log does not verify: \(findings)")
}
let verifySeconds = verifyTimes.sorted()[verifyTimes.count / 2]
await big.close()

let result: [String: Any] = [
    "writers": writers,
    "appended": appended,
    "append_seconds": appendSeconds,
    "appends_per_second": Double(appended) / appendSeconds,
    "verify_events": written,
    "retention_pass_seconds": retentionSeconds,
    "sign_first_seconds": signFirstSeconds,
    "sign_next_seconds": signNextSeconds,
    "sign_restarted_seconds": signRestartedSeconds,
    "verify_seconds": verifySeconds,
    "verify_seconds_each": verifyTimes,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
