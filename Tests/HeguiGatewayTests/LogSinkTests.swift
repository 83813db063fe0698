import Foundation
import HeguiGateway
import Logging
import NIOConcurrencyHelpers
import Testing

/// The gateway's log lines leave from a thread of their own: a log reader that stalls never
/// stalls a request, lines it misses are counted, and the text format keeps swift-log's layout.
@Suite(.timeLimit(.minutes(2)))
struct LogSinkTests {
    static func notice(_ count: Int) -> String { "dropped \(count)\n" }

    /// Reads everything from `pipe` on a thread until it closes.
    final class Collector: Sendable {
        let text = NIOLockedValueBox("")
        let isClosed = NIOLockedValueBox(false)

        init(_ pipe: Pipe) {
            let handle = pipe.fileHandleForReading
            Thread {
                while true {
                    let data = handle.availableData
                    if data.isEmpty {
                        self.isClosed.withLockedValue { $0 = true }
                        return
                    }
                    self.text.withLockedValue { $0 += String(decoding: data, as: UTF8.self) }
                }
            }.start()
        }

        /// Everything read once the writing end has closed.
        func all() -> String {
            for _ in 0..<3_000 where !self.isClosed.withLockedValue({ $0 }) { usleep(10_000) }
            return self.text.withLockedValue { $0 }
        }
    }

    @Test func linesArriveWholeAndInOrder() throws {
        let pipe = Pipe()
        let collector = Collector(pipe)
        let sink = LogSink(descriptor: pipe.fileHandleForWriting.fileDescriptor, dropNotice: Self.notice)
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            for index in 0..<500 { sink.write("w\(writer) \(index)\n") }
        }
        #expect(sink.flush())
        sink.stop()
        try pipe.fileHandleForWriting.close()
        let lines = collector.all().split(separator: "\n")
        #expect(lines.count == 2_000)
        for writer in 0..<4 {
            let own = lines.filter { $0.hasPrefix("w\(writer) ") }.map { Int($0.split(separator: " ")[1]) }
            #expect(own == Array(0..<500))
        }
    }

    /// Waits (up to `seconds`) until the collector has read `count` lines.
    static func awaitLines(_ collector: Collector, _ count: Int, seconds: Int = 10) -> Int {
        var lines = 0
        for _ in 0..<(seconds * 100) {
            lines = collector.text.withLockedValue { $0.utf8.count(where: { $0 == 0x0A }) }
            if lines >= count { break }
            usleep(10_000)
        }
        return lines
    }

    /// A sink writing into a pipe that a collector reads.
    static func sink(interval: Duration, wakeThreshold: Int = 64 << 10) -> (Pipe, Collector, LogSink) {
        let pipe = Pipe()
        let collector = Collector(pipe)
        let sink = LogSink(
            descriptor: pipe.fileHandleForWriting.fileDescriptor,
            interval: interval,
            wakeThreshold: wakeThreshold,
            dropNotice: Self.notice
        )
        return (pipe, collector, sink)
    }

    @Test func linesGoOutWithNoFlushWhetherTheWriterIsActiveOrAsleep() throws {
        // The writer is not woken per line while active; asleep after a quiet second, the next
        // line wakes it. Either way every line leaves without anyone asking.
        let (pipe, collector, sink) = Self.sink(interval: .milliseconds(20))
        for index in 0..<10 {
            sink.write("active \(index)\n")
            usleep(5_000)
        }
        #expect(Self.awaitLines(collector, 10) == 10)
        usleep(1_500_000)  // a quiet second and more: the writer now waits for a wake
        sink.write("after a quiet spell\n")
        #expect(Self.awaitLines(collector, 11) == 11)
        sink.stop()
        try pipe.fileHandleForWriting.close()
        #expect(collector.all().hasSuffix("active 9\nafter a quiet spell\n"))
    }

    @Test func aBurstPastTheThresholdIsWrittenBeforeTheIntervalIsUp() throws {
        // A new writer waits out its first interval, here far longer than the test's patience:
        // only the threshold can send the lines.
        let (pipe, collector, sink) = Self.sink(interval: .seconds(60), wakeThreshold: 4 << 10)
        usleep(200_000)
        let line = String(repeating: "y", count: 99) + "\n"
        for _ in 0..<50 { sink.write(line) }  // 5,000 bytes
        #expect(Self.awaitLines(collector, 41, seconds: 10) >= 41)
        sink.stop()
        try pipe.fileHandleForWriting.close()
        #expect(collector.all().utf8.count == 5_000)
    }

    @Test func aFlushDoesNotWaitForTheInterval() throws {
        // The writer is active (lines came a moment ago) with an interval far past the flush's
        // timeout: only the flush's own wake can send the line in time.
        let (pipe, collector, sink) = Self.sink(interval: .seconds(600))
        sink.write("flushed\n")
        #expect(sink.flush(timeout: .seconds(10)))
        #expect(Self.awaitLines(collector, 1) == 1)
        sink.stop()
        try pipe.fileHandleForWriting.close()
        #expect(collector.all() == "flushed\n")
    }

    @Test func aReaderThatStallsLosesLinesButHoldsNobodyUp() throws {
        let pipe = Pipe()
        let sink = LogSink(
            descriptor: pipe.fileHandleForWriting.fileDescriptor,
            capacity: 32 << 10,
            dropNotice: Self.notice
        )
        // Nobody reads: the pipe fills (64 KiB on Linux), then the queue; every write still
        // returns (this test would hang otherwise), until the writer is stuck for good.
        let line = String(repeating: "x", count: 199) + "\n"
        var total = 0
        var stuck = false
        for _ in 0..<200 where !stuck {
            for _ in 0..<500 { sink.write(line) }
            total += 500
            stuck = !sink.flush(timeout: .milliseconds(20))
        }
        #expect(stuck)
        for _ in 0..<5_000 { sink.write(line) }
        total += 5_000

        // The reader comes back: what fitted arrives, then how many lines were lost.
        let collector = Collector(pipe)
        #expect(sink.flush(timeout: .seconds(30)))
        sink.stop()
        try pipe.fileHandleForWriting.close()
        let text = collector.all()
        let written = text.split(separator: "\n").filter { $0 == line.dropLast() }.count
        // One notice per batch that followed losses; together they count every lost line.
        let notices = text.split(separator: "\n").filter { $0.hasPrefix("dropped ") }
        let dropped = notices.compactMap { Int($0.dropFirst("dropped ".count)) }.reduce(0, +)
        #expect(text.split(separator: "\n").last?.hasPrefix("dropped ") == true)
        #expect(dropped > 0 && written > 0)
        #expect(written + dropped == total)
    }

    @Test func theTextFormatIsSwiftLogsWithUTCTime() {
        let line = LineLogHandler.line(
            .text,
            level: .info,
            label: "hegui",
            source: "HeguiGateway",
            message: "request completed",
            metadata: ["http.status": "200", "gateway.tenant": "app", "list": ["a", "b"]]
        )
        let pattern =
            #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000 info hegui : gateway\.tenant=app http\.status=200 list=\["a", "b"\] \[HeguiGateway\] request completed\n$/#
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
    }

    @Test func theHandlersHandTheirLinesToTheSink() {
        let lines = NIOLockedValueBox<[String]>([])
        var logger = Logger(label: "hegui") { label in
            LineLogHandler(label: label, format: .text, level: .notice) { line in
                lines.withLockedValue { $0.append(line) }
            }
        }
        logger[metadataKey: "request.id"] = "req_1"
        logger.info("not written")
        logger.notice("written", metadata: ["n": "1"])
        let captured = lines.withLockedValue { $0 }
        #expect(captured.count == 1)
        #expect(captured.first?.contains(" notice hegui : n=1 request.id=req_1 [") == true)
        #expect(captured.first?.hasSuffix("] written\n") == true)
    }
}
