import Foundation
import HeguiFuzzing
import Testing

/// Replays every input the fuzzers kept (Fuzz/corpus/<target>, issue 11 item 4): what once
/// crashed a parser or broke a property must not again.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

    @Test(arguments: FuzzTarget.allCases)
    func theKeptInputsRunClean(target: FuzzTarget) throws {
        let directory = Self.corpus.appendingPathComponent(target.rawValue)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(!files.isEmpty, "no corpus for \(target.rawValue)")
        for file in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            target.run(Array(data))
        }
    }
}
