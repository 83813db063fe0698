/// Builds the Aho–Corasick automaton of a keyword matcher over dense character codes, laid out
/// as a double array.
///
/// Each state is a cell of 8 bytes: `base` and `check`. The child of the state in cell `s` on
/// code `c` is the cell `t = base[s] + c` when `check[t] == s`, so a transition reads one cell,
/// and the cells of a 20,000-term lexicon fit in a core's L2 cache. The root's transitions are a
/// dense array by code (nearly every Chinese character starts a term), the failure cell and the
/// depth sit in a side array that only deeper states need, and two flag bits spare the scan a
/// read: bit 31 of `base` says the failure state is the root, bit 31 of `check` that the state
/// has something to report.
struct KeywordAutomatonBuilder {
    /// A built automaton as flat arrays, ready to copy into a matcher's table.
    struct Built {
        /// Two words per cell: base | failure-is-root flag, check | report flag (`.max` when the
        /// cell is free).
        var cells: [UInt32]
        /// Two words per cell: failure cell, depth.
        var info: [UInt32]
        /// Three words per cell: the report cell (0: none), the first output, the output count.
        var reports: [UInt32]
        /// The root's child by code, with the report flag (0: none).
        var rootTargets: [UInt32]
        /// Output ids, grouped by state.
        var outputs: [UInt32]
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

    /// The number of states so far, the root included.
    var stateCount: Int { self.depth.count }

    /// Adds a pattern (non-empty codes in `1...alphabetSize`) with the id reported on a match.
    mutating func insert(_ codes: ArraySlice<UInt32>, id: UInt32) {
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
        func children(of state: Int) -> [(code: UInt32, target: UInt32)] {
            var result: [(code: UInt32, target: UInt32)] = []
            var edge = self.edgeHead[state]
            while edge >= 0 {
                result.append((self.edgeCode[Int(edge)], self.edgeTarget[Int(edge)]))
                edge = self.edgeNext[Int(edge)]
            }
            return result.sorted { $0.code < $1.code }
        }

        for (_, target) in children(of: 0) {
            queue.append(target)
            if self.outputHead[Int(target)] >= 0 {
                report[Int(target)] = target
            }
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
                    if let next = self.gotoMap[UInt64(candidate) << 32 | UInt64(code)] {
                        resolved = next
                        break
                    }
                    if candidate == 0 { break }
                    candidate = fail[Int(candidate)]
                }
                fail[Int(target)] = resolved
                report[Int(target)] = self.outputHead[Int(target)] >= 0 ? target : report[Int(resolved)]
                queue.append(target)
                edge = self.edgeNext[Int(edge)]
            }
        }

        // Place the states in the double array, breadth first.
        var placement = DoubleArrayPlacement(alphabetSize: self.alphabetSize)
        var cellOf = [UInt32](repeating: 0, count: stateCount)
        var base = [UInt32](repeating: 0, count: stateCount)
        for state in [0] + queue.map(Int.init) {
            let edges = children(of: state)
            guard !edges.isEmpty else { continue }
            let chosen = placement.place(codes: edges.map(\.code), parent: cellOf[state])
            base[state] = chosen
            for (code, target) in edges {
                cellOf[Int(target)] = chosen + code
            }
        }

        let cellCount = placement.cellCount
        precondition(cellCount < Int(KeywordTable.flag), "a lexicon beyond two billion automaton cells")
        var cells = [UInt32](repeating: 0, count: cellCount * 2)
        for cell in 0..<cellCount {
            cells[cell * 2 + 1] = cell < placement.check.count ? placement.check[cell] : .max
        }
        cells[1] = .max  // the root is nobody's child
        var info = [UInt32](repeating: 0, count: cellCount * 2)
        var reports = [UInt32](repeating: 0, count: cellCount * 3)
        var outputs: [UInt32] = []
        outputs.reserveCapacity(self.outputID.count)
        for state in 0..<stateCount {
            let cell = Int(cellOf[state])
            var output = self.outputHead[state]
            var ids: [UInt32] = []
            while output >= 0 {
                ids.append(self.outputID[Int(output)])
                output = self.outputNext[Int(output)]
            }
            let hasReport = report[state] != 0
            cells[cell * 2] = base[state] | (fail[state] == 0 ? KeywordTable.flag : 0)
            if state != 0, hasReport {
                cells[cell * 2 + 1] |= KeywordTable.flag
            }
            info[cell * 2] = cellOf[Int(fail[state])]
            info[cell * 2 + 1] = min(self.depth[state], 0xFFFF)
            reports[cell * 3] = hasReport ? cellOf[Int(report[state])] : 0
            reports[cell * 3 + 1] = UInt32(outputs.count)
            reports[cell * 3 + 2] = UInt32(ids.count)
            outputs.append(contentsOf: ids.reversed())
        }
        var rootTargets = [UInt32](repeating: 0, count: self.alphabetSize + 1)
        for (code, target) in children(of: 0) {
            rootTargets[Int(code)] = cellOf[Int(target)] | (report[Int(target)] != 0 ? KeywordTable.flag : 0)
        }
        return Built(cells: cells, info: info, reports: reports, rootTargets: rootTargets, outputs: outputs)
    }
}

/// First-fit placement of sibling sets in a double array.
///
/// Free cells form a linked list that the search walks from its head; a cell that has failed as
/// an anchor many times leaves the list (it stays free for later children), which keeps the
/// search short when the front of the array is crowded.
private struct DoubleArrayPlacement {
    private(set) var check: [UInt32] = [.max]
    private var next: [Int32] = [-1]
    private var previous: [Int32] = [-1]
    private var failures: [UInt8] = [0]
    private var listed: [Bool] = [false]
    private var first: Int32 = -1
    private var last: Int32 = -1
    private var maximumBase: UInt32 = 0
    private let alphabetSize: Int

    init(alphabetSize: Int) {
        self.alphabetSize = alphabetSize
        self.grow(to: max(1024, alphabetSize * 2 + 2))
    }

    /// Cells needed so that `base + code` of every state stays inside the array.
    var cellCount: Int { max(self.check.count, Int(self.maximumBase) + self.alphabetSize + 1) }

    private mutating func grow(to size: Int) {
        let old = self.check.count
        guard size > old else { return }
        self.check.append(contentsOf: repeatElement(.max, count: size - old))
        self.next.append(contentsOf: repeatElement(-1, count: size - old))
        self.previous.append(contentsOf: repeatElement(-1, count: size - old))
        self.failures.append(contentsOf: repeatElement(0, count: size - old))
        self.listed.append(contentsOf: repeatElement(true, count: size - old))
        for cell in old..<size {
            self.previous[cell] = self.last
            if self.last >= 0 { self.next[Int(self.last)] = Int32(cell) } else { self.first = Int32(cell) }
            self.last = Int32(cell)
        }
    }

    private mutating func unlist(_ cell: Int) {
        guard self.listed[cell] else { return }
        self.listed[cell] = false
        let before = self.previous[cell]
        let after = self.next[cell]
        if before >= 0 { self.next[Int(before)] = after } else { self.first = after }
        if after >= 0 { self.previous[Int(after)] = before } else { self.last = before }
    }

    /// Finds a base for children with these codes (sorted, non-empty), marks their cells used
    /// with `parent` as their check, and returns the base.
    mutating func place(codes: [UInt32], parent: UInt32) -> UInt32 {
        let lowest = Int(codes[0])
        var anchor = Int(self.first)
        while true {
            if anchor < 0 {
                let size = self.check.count
                self.grow(to: size + max(size / 2, lowest + 1024))
                anchor = size
                continue
            }
            let base = anchor - lowest
            if base >= 1 {
                let highest = base + Int(codes[codes.count - 1])
                if highest >= self.check.count {
                    self.grow(to: highest + 1 + self.check.count / 4)
                }
                if codes.allSatisfy({ self.check[base + Int($0)] == .max }) {
                    for code in codes {
                        let cell = base + Int(code)
                        self.check[cell] = parent
                        self.unlist(cell)
                    }
                    self.maximumBase = max(self.maximumBase, UInt32(base))
                    return UInt32(base)
                }
            }
            let following = Int(self.next[anchor])
            self.failures[anchor] &+= 1
            if self.failures[anchor] > 32 {
                self.unlist(anchor)
            }
            anchor = following
        }
    }
}
