/// Builds the Aho–Corasick automaton of a keyword matcher over dense character codes.
///
/// Transitions out of the root are a dense array (nearly every Chinese character can start a
/// term); the rest live in one open-addressing hash table keyed by (state, code), so a state
/// costs 16 bytes plus about 16 bytes per edge whatever the alphabet's size. Failure links and
/// report links (the nearest state on the failure chain with an output) make every match,
/// overlapping ones included, cheap to enumerate.
struct KeywordAutomatonBuilder {
    /// A built automaton as flat arrays, ready to copy into a matcher's table.
    ///
    /// States are numbered breadth-first, so the states one character deep (the ones a scan
    /// visits most) are `1...depthOneCount` and lie together in memory. A state id as stored in
    /// transitions, failure links and report links carries ``KeywordTable/reportFlag`` when the
    /// state has something to report, so the scan need not read the state to know.
    struct Built {
        /// Per state (``KeywordTable/stateWords`` words): failure state (flagged id), depth |
        /// output count << 16, report state (flagged id), first output.
        var states: [UInt32]
        /// Four words per slot: state, code, target (flagged id), unused; an empty slot has state
        /// `.max`.
        var slots: [UInt32]
        /// log2 of the slot count.
        var slotBits: Int
        /// A bit per hashed (state, code) edge: a clear bit means no such transition.
        var filter: [UInt32]
        /// log2 of the filter's bit count.
        var filterBits: Int
        /// Targets of the root by code (0 = stay at the root).
        var rootTargets: [UInt32]
        /// Output ids, grouped by state.
        var outputs: [UInt32]
        /// The number of states one character deep.
        var depthOneCount: Int
    }

    private var gotoMap: [UInt64: UInt32] = [:]
    private var depth: [UInt32] = [0]
    private var edgeHead: [Int32] = [-1]
    private var edgeNext: [Int32] = []
    private var edgeCode: [UInt32] = []
    private var edgeTarget: [UInt32] = []
    private var outputHead: [Int32] = [-1]
    private var outputNext: [Int32] = []
    private var outputID: [UInt32] = []
    private let alphabetSize: Int

    init(alphabetSize: Int, expectedStates: Int) {
        self.alphabetSize = alphabetSize
        self.gotoMap.reserveCapacity(expectedStates)
        self.depth.reserveCapacity(expectedStates)
    }

    /// Adds a pattern (non-empty codes in `1...alphabetSize`) with the id reported on a match.
    mutating func insert(_ codes: [UInt32], id: UInt32) {
        var state: UInt32 = 0
        for code in codes {
            let key = UInt64(state) << 32 | UInt64(code)
            if let next = self.gotoMap[key] {
                state = next
                continue
            }
            let next = UInt32(self.depth.count)
            self.gotoMap[key] = next
            self.depth.append(self.depth[Int(state)] + 1)
            self.edgeHead.append(-1)
            self.outputHead.append(-1)
            self.edgeNext.append(self.edgeHead[Int(state)])
            self.edgeHead[Int(state)] = Int32(self.edgeCode.count)
            self.edgeCode.append(code)
            self.edgeTarget.append(next)
            state = next
        }
        self.outputNext.append(self.outputHead[Int(state)])
        self.outputHead[Int(state)] = Int32(self.outputID.count)
        self.outputID.append(id)
    }

    func build() -> Built {
        let stateCount = self.depth.count
        var fail = [UInt32](repeating: 0, count: stateCount)
        var report = [UInt32](repeating: 0, count: stateCount)
        var queue: [UInt32] = []
        queue.reserveCapacity(stateCount)

        var rootTargets = [UInt32](repeating: 0, count: self.alphabetSize + 1)
        var edge = self.edgeHead[0]
        while edge >= 0 {
            rootTargets[Int(self.edgeCode[Int(edge)])] = self.edgeTarget[Int(edge)]
            queue.append(self.edgeTarget[Int(edge)])
            edge = self.edgeNext[Int(edge)]
        }
        let depthOneCount = queue.count
        for state in queue where self.outputHead[Int(state)] >= 0 {
            report[Int(state)] = state
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            var edge = self.edgeHead[Int(state)]
            while edge >= 0 {
                let code = self.edgeCode[Int(edge)]
                let target = self.edgeTarget[Int(edge)]
                var candidate = fail[Int(state)]
                var resolved: UInt32 = 0
                while true {
                    if candidate == 0 {
                        resolved = rootTargets[Int(code)]
                        break
                    }
                    if let next = self.gotoMap[UInt64(candidate) << 32 | UInt64(code)] {
                        resolved = next
                        break
                    }
                    candidate = fail[Int(candidate)]
                }
                fail[Int(target)] = resolved
                report[Int(target)] = self.outputHead[Int(target)] >= 0 ? target : report[Int(resolved)]
                queue.append(target)
                edge = self.edgeNext[Int(edge)]
            }
        }

        // Breadth-first numbering; ids carry the report flag.
        var number = [UInt32](repeating: 0, count: stateCount)
        for (position, state) in queue.enumerated() {
            number[Int(state)] = UInt32(position + 1)
        }
        func flagged(_ state: UInt32) -> UInt32 {
            guard state != 0 else { return 0 }
            return number[Int(state)] | (report[Int(state)] != 0 ? KeywordTable.reportFlag : 0)
        }

        let width = KeywordTable.stateWords
        var states = [UInt32](repeating: 0, count: stateCount * width)
        var outputs: [UInt32] = []
        outputs.reserveCapacity(self.outputID.count)
        for state in [0] + queue.map(Int.init) {
            let index = Int(state == 0 ? 0 : number[state])
            let start = outputs.count
            var output = self.outputHead[state]
            var ids: [UInt32] = []
            while output >= 0 {
                ids.append(self.outputID[Int(output)])
                output = self.outputNext[Int(output)]
            }
            outputs.append(contentsOf: ids.reversed())
            states[index * width] = flagged(fail[state])
            states[index * width + 1] = UInt32(min(ids.count, 0xFFFF)) << 16 | min(self.depth[state], 0xFFFF)
            states[index * width + 2] = flagged(report[state])
            states[index * width + 3] = UInt32(start)
        }
        for code in rootTargets.indices {
            rootTargets[code] = flagged(rootTargets[code])
        }

        let edges = self.edgeCode.count
        var slotBits = 4
        while (1 << slotBits) < edges * 5 / 2 + 1 { slotBits += 1 }
        let slotCount = 1 << slotBits
        var slots = [UInt32](repeating: 0, count: slotCount * 4)
        for slot in 0..<slotCount { slots[slot * 4] = .max }
        var filterBits = 10
        while (1 << filterBits) < edges * 32 && filterBits < 26 { filterBits += 1 }
        var filter = [UInt32](repeating: 0, count: (1 << filterBits) / 32)
        let shift = UInt64(64 - slotBits)
        let filterShift = UInt64(64 - filterBits)
        for state in 1..<max(stateCount, 1) {
            let index = number[state]
            var edge = self.edgeHead[state]
            while edge >= 0 {
                let code = self.edgeCode[Int(edge)]
                var slot = Int(KeywordTable.hash(state: index, code: code, shift: shift))
                while slots[slot * 4] != .max {
                    slot = (slot + 1) & (slotCount - 1)
                }
                slots[slot * 4] = index
                slots[slot * 4 + 1] = code
                slots[slot * 4 + 2] = flagged(self.edgeTarget[Int(edge)])
                let bit = Int(KeywordTable.filterHash(state: index, code: code, shift: filterShift))
                filter[bit >> 5] |= 1 << UInt32(bit & 31)
                edge = self.edgeNext[Int(edge)]
            }
        }
        return Built(
            states: states,
            slots: slots,
            slotBits: slotBits,
            filter: filter,
            filterBits: filterBits,
            rootTargets: rootTargets,
            outputs: outputs,
            depthOneCount: depthOneCount
        )
    }
}
