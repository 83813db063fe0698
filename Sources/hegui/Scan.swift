import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway

/// `hegui scan`: checks files or standard input with the text engine and reports what it finds.
struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check text with the moderation engine (lexicons, foldings, personal information).",
        discussion: """
            Reads each FILE (or standard input when none is given, or for "-") as plain text, one \
            line at a time, or as JSON Lines with --field. Prints every hit with its risk code, term, \
            action, position (line and character range) and context, or one JSON object per hit with \
            --json. Exits 0 when nothing was found, 1 when something was, 2 on an error.
            """
    )

    @Argument(help: "Files to check; standard input when none is given.")
    var files: [String] = []

    @Option(name: .customLong("lexicon"), help: "Lexicon file or directory (repeatable). Default: the sample lexicon.")
    var lexicons: [String] = []

    @Option(help: "Moderation policy file (YAML). Default: the built-in policy.")
    var policy: String?

    @Option(help: "The direction whose actions apply: input or output.")
    var direction: String = "input"

    @Option(help: "Tenant id, for the policy assignment.")
    var tenant: String?

    @Option(help: "User group, for the policy assignment (e.g. minors).")
    var group: String?

    @Option(help: "Read JSON Lines and check this string field of each object (a dotted path: messages.0.content).")
    var field: String?

    @Flag(help: "Print one JSON object per hit.")
    var json = false

    @Flag(name: .customLong("include-allowed"), help: "Also report hits whose action is allow.")
    var includeAllowed = false

    @Flag(name: .customLong("no-progress"), help: "Never draw the progress bar.")
    var noProgress = false

    func run() throws {
        guard let direction = ModerationDirection(rawValue: self.direction) else {
            throw ValidationError("--direction must be input or output")
        }
        var moderation = GatewayConfiguration.Moderation()
        moderation.lexicons = self.lexicons
        moderation.policyFile = self.policy
        let engine: ModerationEngine
        do {
            engine = try ModerationLoader.load(moderation).engine
        } catch {
            Self.fail("\(error)")
        }
        let policy = engine.policies.policy(tenant: self.tenant, group: self.group)

        var found = 0
        let sources = self.files.isEmpty ? ["-"] : self.files
        for source in sources {
            let handle: FileHandle
            let size: Int?
            if source == "-" {
                handle = FileHandle.standardInput
                size = nil
            } else {
                guard let opened = FileHandle(forReadingAtPath: source) else {
                    Self.fail("\(source): cannot open the file")
                }
                handle = opened
                size = (try? FileManager.default.attributesOfItem(atPath: source)[.size] as? Int) ?? nil
            }
            var progress = Progress(total: size, enabled: !self.noProgress && isatty(STDERR_FILENO) == 1)
            var reader = LineReader(handle: handle)
            var lineNumber = 0
            while let line = reader.next() {
                lineNumber += 1
                progress.advance(by: line.count + 1)
                guard let text = String(validating: line, as: UTF8.self) else {
                    Self.warn("\(source):\(lineNumber): not valid UTF-8; skipped")
                    continue
                }
                let checked: String
                if let field = self.field {
                    guard !text.allSatisfy(\.isWhitespace) else { continue }
                    guard let value = try? JSONParser.parse(text), let string = Self.string(in: value, path: field)
                    else {
                        Self.warn("\(source):\(lineNumber): no string field '\(field)'; skipped")
                        continue
                    }
                    checked = string
                } else {
                    checked = text
                }
                let verdict = engine.check(checked, direction: direction, policy: policy)
                for hit in verdict.hits where self.includeAllowed || hit.action != .allow {
                    found += 1
                    progress.clear()
                    print(self.render(hit, in: checked, source: source, line: lineNumber))
                }
            }
            progress.finish()
        }
        if found > 0 {
            throw ExitCode(1)
        }
    }

    func render(_ hit: ModerationHit, in text: String, source: String, line: Int) -> String {
        if self.json {
            var object = JSONObject()
            object["source"] = .string(source)
            object["line"] = .number(String(line))
            object["risk"] = .string(hit.risk.rawValue)
            object["term"] = .string(hit.termID)
            object["action"] = .string(hit.action.rawValue)
            object["start"] = .number(String(hit.span.characters.lowerBound))
            object["end"] = .number(String(hit.span.characters.upperBound))
            object["byte_start"] = .number(String(hit.span.bytes.lowerBound))
            object["byte_end"] = .number(String(hit.span.bytes.upperBound))
            object["text"] = .string(String(text.text(in: hit.span)))
            return JSONValue.object(object).serialized
        }
        let scalars = Array(text.unicodeScalars)
        let before = String(
            String.UnicodeScalarView(
                scalars[max(0, hit.span.characters.lowerBound - 12)..<hit.span.characters.lowerBound]
            )
        )
        let matched = String(text.text(in: hit.span))
        let after = String(
            String.UnicodeScalarView(
                scalars[hit.span.characters.upperBound..<min(scalars.count, hit.span.characters.upperBound + 12)]
            )
        )
        let name = RiskCatalogue.standard.risk(hit.risk)?.chineseName ?? hit.risk.rawValue
        return
            "\(source):\(line):\(hit.span.characters.lowerBound + 1)-\(hit.span.characters.upperBound): \(hit.risk) \(hit.action.rawValue) [\(hit.termID)] \(name)\n    …\(Self.oneLine(before))【\(Self.oneLine(matched))】\(Self.oneLine(after))…"
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    /// The string at a dotted path (`messages.0.content`) of a JSON value.
    static func string(in value: JSONValue, path: String) -> String? {
        var current = value
        for component in path.split(separator: ".") {
            switch current {
            case .object(let object):
                guard let next = object[String(component)] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(component), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        if case .string(let string) = current { return string }
        return nil
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("hegui scan: \(message)\n".utf8))
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("hegui scan: \(message)\n".utf8))
        Foundation.exit(2)
    }
}

/// Reads a file a line at a time (split at `\n`, a trailing `\r` dropped), in 1 MiB blocks.
struct LineReader {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(handle: FileHandle) {
        self.handle = handle
    }

    mutating func next() -> [UInt8]? {
        while true {
            if let newline = self.buffer[self.start...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(self.buffer[self.start..<newline])
                self.start = newline + 1
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            if self.atEnd {
                guard self.start < self.buffer.count else { return nil }
                let line = Array(self.buffer[self.start...])
                self.start = self.buffer.count
                return line
            }
            self.buffer.removeFirst(self.start)
            self.start = 0
            let data = self.handle.readData(ofLength: 1 << 20)
            if data.isEmpty {
                self.atEnd = true
            } else {
                self.buffer.append(contentsOf: data)
            }
        }
    }
}

/// A progress bar on standard error for large files, drawn only on a terminal.
struct Progress {
    let total: Int?
    let enabled: Bool
    private var done = 0
    private var drawnPercent = -1

    init(total: Int?, enabled: Bool) {
        self.total = total
        self.enabled = enabled && (total ?? 0) >= 4 << 20
    }

    mutating func advance(by bytes: Int) {
        guard self.enabled, let total = self.total, total > 0 else { return }
        self.done += bytes
        let percent = min(100, self.done * 100 / total)
        guard percent != self.drawnPercent else { return }
        self.drawnPercent = percent
        let filled = percent * 30 / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(percent)%".utf8))
    }

    mutating func clear() {
        guard self.enabled, self.drawnPercent >= 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        self.drawnPercent = -1
    }

    mutating func finish() {
        self.clear()
    }
}
