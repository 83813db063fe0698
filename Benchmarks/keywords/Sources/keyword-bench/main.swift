// Times Hegui's keyword matcher on a lexicon and a corpus and prints one JSON line.
//
//   keyword-bench --lexicon FILE.tsv --corpus FILE [--folding none|all] [--repeat N] [--build-only]
//
// The lexicon is TSV (term, risk, action). With `--folding none` Latin word boundaries are off
// too, so the count equals a plain Aho-Corasick count of overlapping matches.
import Foundation
import HeguiCore

var arguments = CommandLine.arguments.dropFirst()
var lexiconPath = ""
var corpusPath = ""
var folding = "all"
var repeats = 3
var buildOnly = false
var boundaries: Bool?
while let argument = arguments.popFirst() {
    switch argument {
    case "--lexicon": lexiconPath = arguments.popFirst() ?? ""
    case "--corpus": corpusPath = arguments.popFirst() ?? ""
    case "--folding": folding = arguments.popFirst() ?? "all"
    case "--repeat": repeats = Int(arguments.popFirst() ?? "3") ?? 3
    case "--build-only": buildOnly = true
    case "--boundaries": boundaries = arguments.popFirst() == "on"
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

func residentMiB(_ field: String) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(field) {
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1024
    }
    return 0
}

let rssBefore = residentMiB("VmRSS:")
let lexiconText = try String(contentsOfFile: lexiconPath, encoding: .utf8)
let parseStart = now()
let lexicon = try LexiconParser.parse(lexiconText, file: lexiconPath, format: .tsv)
let buildStart = now()
let options: FoldingOptions = folding == "none" ? .none : .all
let matcher = KeywordMatcher(lexicon: lexicon, folding: options, latinWordBoundaries: boundaries ?? (folding != "none"))
let buildEnd = now()
let rssAfterBuild = residentMiB("VmRSS:")
// The peak up to here is what building costs; serializing and reloading below add copies.
let rssPeakBuild = residentMiB("VmHWM:")
let serialized = matcher.serialized()
let loadStart = now()
let reloaded = try KeywordMatcher(serialized: serialized)
let loadEnd = now()
precondition(reloaded.patternCount == matcher.patternCount)

var result: [String: Any] = [
    "terms": lexicon.entries.count,
    "patterns": matcher.patternCount,
    "states": matcher.stateCount,
    "parse_seconds": buildStart - parseStart,
    "build_seconds": buildEnd - buildStart,
    "table_mib": Double(matcher.tableByteCount) / 1_048_576,
    "rss_build_mib": rssAfterBuild - rssBefore,
    "rss_peak_build_mib": rssPeakBuild,
    "compiled_mib": Double(serialized.count) / 1_048_576,
    "load_compiled_seconds": loadEnd - loadStart,
]

if !buildOnly {
    let corpus = try String(contentsOfFile: corpusPath, encoding: .utf8)
    let megabytes = Double(corpus.utf8.count) / 1_000_000
    var best = Double.infinity
    var count = 0
    for _ in 0..<max(1, repeats) {
        let start = now()
        var scanner = matcher.makeScanner()
        count = scanner.feed(corpus).count + scanner.finish().count
        best = min(best, now() - start)
    }
    result["bytes"] = corpus.utf8.count
    result["matches"] = count
    result["seconds"] = best
    result["mb_per_s"] = megabytes / best
}
result["rss_peak_mib"] = residentMiB("VmHWM:")

let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
