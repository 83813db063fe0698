/// A sliding-window rate limit over two fixed windows (the previous and the current minute), as
/// counted in the store so that replicas agree: the estimate weighs the previous window's count
/// by the part of it still inside the sliding window. Smooth like a token bucket, one counter per
/// window.
package struct RateWindow: Sendable, Hashable {
    /// Requests allowed per window.
    package var limit: Int
    /// The window's length in milliseconds.
    package var length: Int64

    package init(limit: Int, length: Int64 = 60_000) {
        self.limit = limit
        self.length = length
    }

    /// The window `time` falls in.
    package func window(of time: Int64) -> Int64 { time / self.length }

    /// The sliding count at `time` given the previous window's count and the current one's
    /// (this request included).
    package func estimate(previous: Int, current: Int, at time: Int64) -> Double {
        let elapsed = Double(time % self.length) / Double(self.length)
        return Double(previous) * (1 - elapsed) + Double(current)
    }

    /// Whether a request making the current count `current` is within the limit.
    package func allows(previous: Int, current: Int, at time: Int64) -> Bool {
        self.estimate(previous: previous, current: current, at: time) <= Double(self.limit)
    }

    /// Whole seconds until a request would be allowed again (at least 1).
    package func retryAfterSeconds(previous: Int, current: Int, at time: Int64) -> Int {
        let offset = time % self.length
        let toWindowEnd = self.length - offset
        // Within this window the previous count decays; past its end only the current counts.
        if current <= self.limit, previous > 0 {
            // previous·(1 − t/L) + current ≤ limit  ⇔  t ≥ L·(1 − (limit − current)/previous)
            let needed = Double(self.length) * (1 - Double(self.limit - current) / Double(previous))
            let wait = Int64(needed.rounded(.up)) - offset
            if wait < toWindowEnd { return max(1, Int((wait + 999) / 1_000)) }
        }
        // In the next window this one's count decays: current·(1 − t/L) ≤ limit.
        var afterEnd = toWindowEnd
        if current > self.limit {
            afterEnd += Int64((Double(self.length) * (1 - Double(self.limit) / Double(current))).rounded(.up))
        }
        return max(1, Int((afterEnd + 999) / 1_000))
    }
}
