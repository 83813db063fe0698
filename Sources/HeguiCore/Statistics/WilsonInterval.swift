/// The Wilson score interval of a binomial proportion: where the true share of a population most
/// likely lies, given `successes` of `trials` sampled. Used beside point rates in the corpus check
/// (TC-5.1, TC-9.2) and the model evaluation (TC-9); the legal gates are the point rates.
package struct WilsonInterval: Sendable, Hashable {
    package var lower: Double
    package var upper: Double

    /// z for a two-sided 95 % interval.
    package static let z95 = 1.959963984540054

    /// The interval at confidence `z` (95 % by default); `[0, 1]` when there are no trials.
    package init(successes: Int, trials: Int, z: Double = Self.z95) {
        guard trials > 0 else {
            self.lower = 0
            self.upper = 1
            return
        }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let margin = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        self.lower = max(0, centre - margin)
        self.upper = min(1, centre + margin)
        if successes == 0 { self.lower = 0 }
        if successes == trials { self.upper = 1 }
    }

    package init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    package func contains(_ share: Double) -> Bool { share >= self.lower && share <= self.upper }
}

/// A small seeded random generator (SplitMix64), so that a sample can be drawn again from its
/// recorded seed.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) {
        self.state = seed
    }

    package mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
