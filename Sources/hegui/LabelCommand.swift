import ArgumentParser
import Foundation
import HeguiCore
import HeguiGateway
import HeguiMedia
import HeguiStore

/// `hegui label`: writes and checks the implicit labels of generated files (IM-12, LBL-5, LBL-6,
/// GB 45438-2025).
struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Write or check AIGC labels in files (GB 45438-2025). 写入或检查生成内容标识。",
        discussion: """
            `hegui label FILE…` writes the AIGC record into each file's metadata (PNG, JPEG, WebP, GIF, \
            MP3, WAV, MP4/MOV/M4A, FLAC, PDF, DOCX/XLSX/PPTX, Markdown) without re-encoding it; \
            `hegui label check FILE…` reports what each file carries.
            """,
        subcommands: [Apply.self, Check.self, PublicKey.self],
        defaultSubcommand: Apply.self
    )

    /// The configuration and data directory the label commands share.
    struct Settings: ParsableArguments {
        @Option(
            name: .customLong("config"),
            help: "Configuration file. Default: HEGUI_CONFIG, else ./hegui.yaml when present."
        )
        var configFile: String?

        @Option(
            name: .customLong("data-dir"),
            help: "State directory holding label-signing-key. Default: the configuration's."
        )
        var dataDirectory: String?

        func load() throws -> (GatewayConfiguration, DataDirectory?) {
            let environment = ProcessInfo.processInfo.environment
            let file = configurationFile(self.configFile, environment: environment)
            var configuration = try GatewayConfiguration.load(file: file, environment: environment)
            if let directory = self.dataDirectory { configuration.dataDirectory = directory }
            let directory = try? DataDirectory.prepare(at: configuration.dataDirectory)
            return (configuration, directory)
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("hegui label: \(message)\n".utf8))
        Foundation.exit(2)
    }

    /// `hegui label [apply] FILE…`
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Write the AIGC record into files. 写入隐式标识。",
            discussion: """
                Each file is written to a temporary file, read back, and only then renamed over the \
                destination, so a damaged file or a failure never leaves half a file. An existing AIGC \
                record is replaced, never duplicated (GB 45438 6.1 c). Exits 0 when every file was \
                labelled, 1 when some were not, 2 on a configuration error.
                """
        )

        @OptionGroup var settings: Settings

        @Argument(help: "Files to label.")
        var files: [String]

        @Flag(name: .customLong("in-place"), help: "Label the files where they are.")
        var inPlace = false

        @Option(name: .customLong("out"), help: "Write labelled copies into this directory instead.")
        var outputDirectory: String?

        @Option(
            name: .customLong("producer"),
            help: "ContentProducer: the 27-character provider code (default: labels.producer)."
        )
        var producer: String?

        @Option(name: .customLong("produce-id"), help: "ProduceID for a single file (default: a new UUID per file).")
        var produceID: String?

        @Option(
            name: .customLong("propagate"),
            help:
                "Label as a propagating platform (LBL-6.5) with this Label value: 1 is, 2 possibly, 3 suspected AI-generated."
        )
        var propagate: String?

        @Flag(name: .customLong("no-seal"), help: "Leave ReservedCode1 empty instead of sealing the record.")
        var noSeal = false

        @Flag(
            help:
                "Also add the explicit label: a visible mark on PNG and JPEG images (GB 45438 5.2), the short-long-short-short cue on WAV audio (5.3)."
        )
        var explicit = false

        @Option(help: "The visible mark's text (both elements of GB 45438 5.1, e.g. AI生成).")
        var text = "AI生成"

        @Option(help: "Where the visible mark goes: top-left, top-right, bottom-left or bottom-right.")
        var position = "bottom-right"

        @Option(help: "The visible mark's style: light (white on dark) or dark (black on white).")
        var style = "light"

        @Option(help: "The mark's text height as a share of the image's shortest side (at least 0.05).")
        var height = 0.05

        @Option(help: "Where the audio cue goes: start, end or both.")
        var cue = "start"

        @Flag(help: "Speak the audio label (espeak-ng, about 140 characters a minute) instead of the tones.")
        var voice = false

        @Option(name: .customLong("voice-text"), help: "What the spoken label says (names AI and generation).")
        var voiceText = VoicePrompt.defaultText

        @Option(help: "ffmpeg for a video's visible label (default: from PATH).")
        var ffmpeg: String?

        @Option(
            name: .customLong("video-seconds"),
            help: "How long a video shows its label from the first frame (at least 2)."
        )
        var videoSeconds = 3.0

        @Flag(help: "Print one JSON object per file.")
        var json = false

        func validate() throws {
            guard self.inPlace != (self.outputDirectory != nil) else {
                throw ValidationError("give exactly one of --in-place or --out DIR")
            }
            if self.produceID != nil, self.files.count != 1 {
                throw ValidationError("--produce-id names one file's id; give one file")
            }
            if let propagate = self.propagate, AIGCRecord.Label(rawValue: propagate) == nil {
                throw ValidationError("--propagate takes 1, 2 or 3")
            }
            if self.explicit { _ = try self.marks() }
        }

        /// The explicit labels the flags ask for.
        func marks() throws -> (VisibleLabel, AudioCue) {
            guard let position = VisibleLabel.Position(rawValue: self.position) else {
                throw ValidationError("--position takes top-left, top-right, bottom-left or bottom-right")
            }
            guard let style = VisibleLabel.Style(rawValue: self.style) else {
                throw ValidationError("--style takes light or dark")
            }
            guard let placement = AudioCue.Placement(rawValue: self.cue) else {
                throw ValidationError("--cue takes start, end or both")
            }
            do {
                let visible = try VisibleLabel(
                    text: self.text,
                    position: position,
                    style: style,
                    heightFraction: self.height
                )
                return (visible, AudioCue(placement: placement))
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() throws {
            let (configuration, directory): (GatewayConfiguration, DataDirectory?)
            do {
                (configuration, directory) = try self.settings.load()
            } catch {
                LabelCommand.fail("\(error)")
            }
            var labels = configuration.labels
            if let producer = self.producer {
                do {
                    _ = try ProviderCode(producer)
                } catch {
                    LabelCommand.fail("--producer: \(error)")
                }
                labels.producer = producer
            } else if labels.isPlaceholderProducer {
                FileHandle.standardError.write(
                    Data(
                        "hegui label: warning: labels.producer is not set; using the placeholder code \(labels.producer)\n"
                            .utf8
                    )
                )
            }
            if self.noSeal { labels.seal = "none" }
            let labeller: Labeller
            do {
                labeller = try self.labeller(labels, directory: directory)
            } catch {
                LabelCommand.fail("\(error)")
            }
            if let output = self.outputDirectory {
                try? FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            }
            let showsProgress = !self.json && isatty(STDERR_FILENO) == 1 && self.files.count > 1
            var failures = 0
            for (index, path) in self.files.enumerated() {
                if showsProgress {
                    FileHandle.standardError.write(Data("\r\u{1B}[K[\(index + 1)/\(self.files.count)] \(path)".utf8))
                }
                let destination =
                    self.outputDirectory.map { "\($0)/\(URL(fileURLWithPath: path).lastPathComponent)" } ?? path
                let role: Labeller.Role =
                    if let value = self.propagate.flatMap(AIGCRecord.Label.init(rawValue:)) {
                        .propagator(label: value, propagateID: self.produceID ?? UUID().uuidString)
                    } else {
                        .producer(produceID: self.produceID ?? UUID().uuidString)
                    }
                if !self.label(path, to: destination, role: role, with: labeller, showsProgress: showsProgress) {
                    failures += 1
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }

        /// The labeller the options ask for. A function of its own: inlined into `run()`, the
        /// typed error of `VoicePrompt` made the release build's LLVM verifier fail (Swift 6.3.1,
        /// "swifterror value can only be loaded and stored from").
        @inline(never)
        func labeller(_ labels: GatewayConfiguration.Labels, directory: DataDirectory?) throws -> Labeller {
            var labeller = try LabelService.load(configuration: labels, dataDirectory: directory).labeller
            if self.explicit {
                (labeller.visible, labeller.cue) = try self.marks()
                if self.voice {
                    do {
                        labeller.cue?.voice = try VoicePrompt(text: self.voiceText)
                    } catch {
                        throw ValidationError(error.description)
                    }
                }
                labeller.ffmpeg = FFmpeg.find(ffmpeg: self.ffmpeg)
                labeller.ffmpeg?.seconds = max(2, self.videoSeconds)
            }
            return labeller
        }

        /// Labels one file and reports it; `false` when it failed.
        func label(
            _ path: String,
            to destination: String,
            role: Labeller.Role,
            with labeller: Labeller,
            showsProgress: Bool
        ) -> Bool {
            do throws(MediaError) {
                let outcome = try labeller.label(path: path, destination: destination, role: role)
                if showsProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                if self.json {
                    let object: JSONValue = [
                        "path": .string(destination), "format": .string(outcome.format.rawValue),
                        "record": outcome.record.jsonValue, "replaced": .number(String(outcome.replaced)),
                    ]
                    print(object.serialized)
                } else {
                    let note =
                        outcome.replaced > 0
                        ? " (replaced \(outcome.replaced) earlier record\(outcome.replaced == 1 ? "" : "s"))" : ""
                    print(
                        "labelled \(destination): \(outcome.format.rawValue) ProduceID=\(outcome.record.produceID)\(note)"
                    )
                }
                return true
            } catch {
                if showsProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                if self.json {
                    let object: JSONValue = ["path": .string(path), "error": .string(error.description)]
                    print(object.serialized)
                } else {
                    FileHandle.standardError.write(Data("hegui label: \(path): \(error)\n".utf8))
                }
                return false
            }
        }
    }

    /// `hegui label check FILE…`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report each file's AIGC record and whether its seal verifies. 检查隐式标识。",
            discussion: """
                For each file: whether it carries exactly one conforming record (GB 45438 Appendix E), \
                the Label value, the producer, and the seal's verdict (valid, invalid, unsealed, \
                unknown_key, malformed) under the key given or the data directory's. Exits 0 when every \
                file carries a valid label, 1 when some do not, 2 on a configuration error.
                """
        )

        @OptionGroup var settings: Settings

        @Argument(help: "Files to check.")
        var files: [String]

        @Option(name: .customLong("public-key"), help: "Verify seals with this Ed25519 public key (64 hex digits).")
        var publicKey: String?

        @Flag(help: "Print one JSON object per file.")
        var json = false

        func run() throws {
            var seal: LabelSeal?
            if let hex = self.publicKey {
                guard let bytes = HexEncoding.decode(hex) else { LabelCommand.fail("--public-key must be hex") }
                do {
                    seal = try LabelSeal(method: "ed25519-public", key: bytes)
                } catch {
                    LabelCommand.fail("--public-key: \(error)")
                }
            } else if let (configuration, directory) = try? self.settings.load(), configuration.labels.seal != "none",
                directory.map({ FileManager.default.fileExists(atPath: $0.filePath(LabelSigningKey.fileName)) })
                    ?? false
                    || configuration.labels.keyFile != nil
            {
                seal = try? LabelService.load(configuration: configuration.labels, dataDirectory: directory).seal
            }
            var invalid = 0
            for path in self.files {
                let report = LabelChecker.check(path: path, seal: seal)
                if !report.isValid { invalid += 1 }
                if self.json {
                    print(report.json.serialized)
                    continue
                }
                let verdict = report.isValid ? "labelled 已标识" : "NOT VALID 标识无效"
                print("\(path): \(verdict) [\(report.format?.rawValue ?? "unknown format")]")
                for (record, place) in zip(report.records, report.places) {
                    print(
                        "  Label=\(record.label) ContentProducer=\(record.contentProducer) ProduceID=\(record.produceID) in \(place)"
                    )
                    if record.contentPropagator != record.contentProducer || record.propagateID != record.produceID {
                        print("  ContentPropagator=\(record.contentPropagator) PropagateID=\(record.propagateID)")
                    }
                }
                if let verdict = report.seal { print("  seal: \(verdict.rawValue)") }
                for problem in report.problems { print("  problem: \(problem)") }
                for warning in report.warnings { print("  warning: \(warning)") }
            }
            if invalid > 0 { throw ExitCode(1) }
        }
    }

    /// `hegui label public-key`
    struct PublicKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "public-key",
            abstract: "Print the Ed25519 public key that verifies this deployment's label seals."
        )

        @OptionGroup var settings: Settings

        func run() throws {
            do {
                let (configuration, directory) = try self.settings.load()
                guard configuration.labels.seal == "ed25519",
                    let key = try LabelService.load(configuration: configuration.labels, dataDirectory: directory).seal?
                        .publicKey
                else {
                    LabelCommand.fail("labels.seal is not ed25519: there is no public key")
                }
                print(HexEncoding.encode(key))
            } catch {
                LabelCommand.fail("\(error)")
            }
        }
    }
}
