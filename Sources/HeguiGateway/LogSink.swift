import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the gateway's log lines go: a thread of its own writes them to a file descriptor
/// (standard error), so that no request ever waits for whoever reads the log.
///
/// Written directly, a log line blocks its thread once the pipe to a log collector is full, and a
/// collector that stalls then stalls every event loop: the gateway stops answering, health checks
/// included. Here a line is queued and the caller goes on; the writer thread writes whatever has
/// gathered in one system call. The queue is bounded (`capacity` bytes): when the reader falls
/// that far behind, further lines are dropped and counted, and a line saying how many were lost
/// (`dropNotice`) goes out as soon as the reader catches up.
///
/// While lines keep coming the writer looks for them every `interval` instead of being woken for
/// each: a line then costs its caller a lock and an append, never a system call or a switch to
/// another thread in the middle of a request (the access log line is written just before the
/// response). After a quiet second the writer sleeps until the next line wakes it, and a queue
/// past `wakeThreshold` bytes wakes it at once.
package final class LogSink: @unchecked Sendable {
    // All mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var lines: [String] = []
    private var bytes = 0
    private var dropped = 0
    private var isWriting = false
    private var isStopped = false
    /// The writer sleeps with no deadline: the next line must wake it.
    private var isIdle = false
    /// Someone waits in ``flush(timeout:)``: the writer goes at once.
    private var flushesWaiting = 0

    private let descriptor: Int32
    private let capacity: Int
    private let interval: Duration
    private let wakeThreshold: Int
    private let dropNotice: @Sendable (Int) -> String

    /// - Parameters:
    ///   - descriptor: where the lines go (standard error by default); not closed by the sink.
    ///   - capacity: how many bytes may wait before lines are dropped.
    ///   - interval: how long a line may wait for the writer while it is active.
    ///   - wakeThreshold: queued bytes that wake the writer before its interval is up.
    ///   - dropNotice: the line that reports `count` dropped lines, in the log's own format.
    package init(
        descriptor: Int32 = 2,
        capacity: Int = 4 << 20,
        interval: Duration = .milliseconds(10),
        wakeThreshold: Int = 64 << 10,
        dropNotice: @escaping @Sendable (Int) -> String
    ) {
        self.descriptor = descriptor
        self.capacity = capacity
        self.interval = interval
        self.wakeThreshold = min(wakeThreshold, capacity)
        self.dropNotice = dropNotice
        // The thread holds the sink until ``stop()``.
        let thread = Thread { self.run() }
        thread.name = "hegui-log"
        thread.start()
    }

    /// Queues a line (newline included) and returns at once.
    package func write(_ line: String) {
        self.condition.lock()
        defer { self.condition.unlock() }
        guard !self.isStopped else { return }
        let size = line.utf8.count
        guard self.bytes + size <= self.capacity else {
            self.dropped += 1
            return
        }
        self.lines.append(line)
        self.bytes += size
        if self.isIdle || self.bytes >= self.wakeThreshold {
            self.isIdle = false
            self.condition.broadcast()
        }
    }

    /// Waits until every queued line is written, or `timeout` has passed (a reader that stays
    /// stuck does not hold up the process's exit for longer).
    /// - Returns: whether everything was written.
    @discardableResult
    package func flush(timeout: Duration = .seconds(2)) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let deadline = Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18)
        self.condition.lock()
        defer { self.condition.unlock() }
        self.flushesWaiting += 1
        defer { self.flushesWaiting -= 1 }
        self.condition.broadcast()
        while !self.lines.isEmpty || self.isWriting {
            if !self.condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// Writes what is queued, then stops the writer thread; later lines are discarded.
    package func stop() {
        self.flush()
        self.condition.lock()
        self.isStopped = true
        self.condition.broadcast()
        self.condition.unlock()
    }

    private func run() {
        let quietIntervals = max(1, Int(Duration.seconds(1) / self.interval))
        let (seconds, attoseconds) = self.interval.components
        let interval = Double(seconds) + Double(attoseconds) / 1e18
        var quiet = 0
        while true {
            self.condition.lock()
            // Active: look again after `interval` (or sooner when woken); idle after a quiet second.
            while !self.isStopped && self.flushesWaiting == 0 && self.bytes < self.wakeThreshold
                && (quiet < quietIntervals || !self.lines.isEmpty || self.dropped > 0)
            {
                if !self.condition.wait(until: Date(timeIntervalSinceNow: interval)) {
                    if !self.lines.isEmpty || self.dropped > 0 { break }
                    quiet += 1
                }
            }
            while self.lines.isEmpty && self.dropped == 0 && !self.isStopped {
                self.isIdle = true
                self.condition.wait()
            }
            self.isIdle = false
            quiet = 0
            if self.isStopped && self.lines.isEmpty {
                self.condition.unlock()
                return
            }
            let lines = self.lines
            let dropped = self.dropped
            self.lines = []
            self.bytes = 0
            self.dropped = 0
            self.isWriting = true
            self.condition.unlock()

            var text = lines.joined()
            if dropped > 0 { text += self.dropNotice(dropped) }
            Self.writeAll(&text, to: self.descriptor)

            self.condition.lock()
            self.isWriting = false
            self.condition.broadcast()
            self.condition.unlock()
        }
    }

    /// Writes all of `text`, retrying after interruptions and partial writes; gives up when the
    /// descriptor fails (a closed pipe), so the thread never spins.
    private static func writeAll(_ text: inout String, to descriptor: Int32) {
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    // A non-blocking descriptor (shared with another process) that is full: wait.
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                    continue
                }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #elseif canImport(Musl)
        Musl.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}
