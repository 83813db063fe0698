import Foundation
package import HeguiCore

/// A lexicon or policy that cannot be loaded: a file that cannot be read or is not UTF-8, a
/// lexicon line or policy key that is wrong. The description names the file (and line).
package struct ModerationLoadError: Error, Sendable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// Loads lexicons and policies from files into a ``ModerationEngine``.
package enum ModerationLoader {
    /// What a load produced, with what an operator should see.
    package struct Loaded: Sendable {
        package var engine: ModerationEngine
        /// The lexicon files read, in order.
        package var files: [String]
        /// Duplicates and conflicts in the lexicons.
        package var diagnostics: [LexiconDiagnostic]
        /// Seconds spent compiling.
        package var buildSeconds: Double
        /// The version of the rules: a digest of the policy and lexicon sources (``PolicyVersion``).
        package var version: String = ""
    }

    /// Loads the configured lexicons (or the sample lexicon when none are configured) and the
    /// policy file (or the built-in policy), and compiles them.
    /// - Throws: ``ModerationLoadError`` naming the file and line.
    package static func load(_ configuration: GatewayConfiguration.Moderation) throws -> Loaded {
        let policies = try self.policies(file: configuration.policyFile)
        let start = ContinuousClock.now
        let engine: ModerationEngine
        let files: [String]
        let lexicon: Lexicon
        if let compiled = configuration.lexicons.first(where: { $0.hasSuffix(Self.compiledExtension) }) {
            guard configuration.lexicons.count == 1 else {
                throw ModerationLoadError(
                    "\(compiled): 编译后的词库须单独使用 / a compiled lexicon must be the only lexicon given"
                )
            }
            let matcher = try self.compiled(path: compiled)
            lexicon = Lexicon(entries: matcher.entries)
            files = [compiled]
            engine = ModerationEngine(
                lexicon: lexicon,
                policies: policies,
                latinWordBoundaries: matcher.latinWordBoundaries,
                prebuilt: [matcher]
            )
        } else {
            (lexicon, files) = try self.lexicon(paths: configuration.lexicons)
            engine = ModerationEngine(lexicon: lexicon, policies: policies)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // The version covers what was read: the policy file (or the built-in policy's name) and
        // every lexicon file (or the sample lexicon).
        var sources: [[UInt8]] = [
            Array(
                (configuration.policyFile.flatMap { FileManager.default.contents(atPath: $0) }.map { Array($0) })
                    ?? Array("built-in policy".utf8)
            )
        ]
        if files.isEmpty {
            sources.append(Array(SampleLexicon.text.utf8))
        } else {
            for file in files { sources.append(FileManager.default.contents(atPath: file).map { Array($0) } ?? []) }
        }
        return Loaded(
            engine: engine,
            files: files,
            diagnostics: lexicon.diagnostics,
            buildSeconds: seconds,
            version: PolicyVersion.make(sources: sources)
        )
    }

    /// The file name ending of a compiled lexicon (`hegui lexicon build`).
    package static let compiledExtension = ".hgkw"

    /// Reads a compiled lexicon.
    package static func compiled(path: String) throws -> KeywordMatcher {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModerationLoadError("\(path): 无法读取 / cannot read the file")
        }
        do {
            return try KeywordMatcher(serialized: Array(data))
        } catch {
            throw ModerationLoadError("\(path): \(error)")
        }
    }

    /// Reads the policy file, or returns the built-in policy.
    package static func policies(file: String?) throws -> PolicySet {
        guard let file else { return .builtIn }
        let text = try self.readText(file)
        do {
            return try PolicyFile.parse(text, source: file)
        } catch let error as ConfigurationError {
            throw ModerationLoadError("\(error)")
        }
    }

    /// Reads lexicon files and directories (their `.txt` and `.tsv` files, recursively, in name
    /// order); the sample lexicon when `paths` is empty.
    package static func lexicon(paths: [String]) throws -> (Lexicon, [String]) {
        guard !paths.isEmpty else {
            do {
                return (try LexiconParser.parse(SampleLexicon.text, file: SampleLexicon.fileName), [])
            } catch {
                throw ModerationLoadError("\(error)")
            }
        }
        var lexicon = Lexicon()
        var files: [String] = []
        for path in paths {
            for file in try self.lexiconFiles(at: path) {
                let text = try self.readText(file)
                do {
                    lexicon.merge(try LexiconParser.parse(text, file: file))
                } catch {
                    throw ModerationLoadError("\(error)")
                }
                files.append(file)
            }
        }
        return (lexicon, files)
    }

    /// The lexicon files at a path: the file itself, or a directory's `.txt`/`.tsv` files.
    static func lexiconFiles(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModerationLoadError("\(path): 找不到词库 / no such lexicon file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            throw ModerationLoadError("\(path): 无法读取目录 / cannot read the directory")
        }
        var files: [String] = []
        for case let relative as String in enumerator {
            let name = (relative as NSString).lastPathComponent
            guard !name.hasPrefix("."), name.hasSuffix(".txt") || name.hasSuffix(".tsv") else { continue }
            files.append((path as NSString).appendingPathComponent(relative))
        }
        guard !files.isEmpty else {
            throw ModerationLoadError("\(path): 目录中没有 .txt 或 .tsv 词库 / no .txt or .tsv lexicon files in the directory")
        }
        return files.sorted()
    }

    /// A file's text, which must be UTF-8.
    static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModerationLoadError("\(path): 无法读取 / cannot read the file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ModerationLoadError("\(path): 不是有效的 UTF-8 / not valid UTF-8")
        }
        return text
    }
}
