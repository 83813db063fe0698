import Foundation
import HeguiCore
import HeguiMedia
import Testing

/// Labelled files read back by the tools a platform or regulator uses: exiftool reads the record,
/// ffprobe reads the tag, ffmpeg and ImageMagick still decode the media (REQUIREMENTS.md §8.2
/// checks 1–2). `.ci/run` installs the tools and sets HEGUI_REQUIRE_MEDIA_TOOLS=1, so there a
/// missing tool fails instead of skipping.
struct MediaToolTests {
    static let required = ProcessInfo.processInfo.environment["HEGUI_REQUIRE_MEDIA_TOOLS"] == "1"

    static func tool(_ name: String) -> String? {
        let path = "/usr/bin/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        precondition(!Self.required, "\(name) is required (HEGUI_REQUIRE_MEDIA_TOOLS=1) but not installed")
        return nil
    }

    /// Runs a tool and returns its exit status and standard output.
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: errorData, as: UTF8.self)
        )
    }

    /// Labels a sample into `directory` and returns the path and the record.
    static func labelled(_ name: String, in directory: String) throws -> (String, AIGCRecord) {
        let source = try MediaFixtures.copy(name, to: directory)
        let outcome = try MediaFixtures.labeller.label(
            path: source,
            destination: source,
            role: .producer(produceID: "tool-1")
        )
        return (source, outcome.record)
    }

    /// Every format exiftool reads the record from (it has no Markdown reader).
    @Test(arguments: MediaFixtures.sampleNames.filter { !$0.hasSuffix(".md") })
    func exiftoolReadsTheRecord(name: String) throws {
        guard let exiftool = Self.tool("exiftool") else { return }
        try MediaFixtures.withScratch { directory in
            let (path, record) = try Self.labelled(name, in: directory)
            let result = try Self.run(exiftool, ["-j", "-a", "-u", "-b", "-G1", path])
            #expect(result.status == 0, "\(result.errors)")
            let document = try JSONParser.parse(result.output)
            let tags = try #require(document.arrayValue?.first?.objectValue)
            var values: [String] = []
            for (key, value) in tags.members {
                guard var text = value.stringValue else { continue }
                if text.hasPrefix("base64:"), let data = Data(base64Encoded: String(text.dropFirst(7))) {
                    text = String(decoding: data, as: UTF8.self)
                }
                if key.uppercased().hasSuffix(":AIGC") || key.hasSuffix("Unknown_AIGC") {
                    values.append(text)
                } else if key.hasSuffix("UserDefinedText"), text.hasPrefix("(AIGC) ") {
                    values.append(String(text.dropFirst(7)))
                }
            }
            #expect(values.count == 1, "\(name): \(values)")
            if name == "with-custom.xlsx" {
                #expect(result.output.contains("合规部"), "the other custom property was lost")
            }
            #expect(try values.first.map { try AIGCRecord.parse($0) } == record)
            // No warning the original did not already have (ImageMagick's samples put text after IDAT).
            let before = try Self.run(exiftool, ["-j", "-G1", "-Warning", "\(MediaFixtures.directory)/\(name)"])
            let warnings = tags.members.filter { $0.key.hasSuffix(":Warning") }.compactMap(\.value.stringValue)
            for warning in warnings {
                #expect(before.output.contains(warning), "\(name): \(warning)")
            }
        }
    }

    @Test(arguments: [
        "sample.mp3", "with-record.mp3", "sample.flac", "sample.mp4", "sample-faststart.mp4", "with-record.mp4",
        "sample.mov", "sample.m4a",
    ])
    func ffprobeReadsTheTagAndFFmpegStillDecodes(name: String) throws {
        guard let ffprobe = Self.tool("ffprobe"), let ffmpeg = Self.tool("ffmpeg") else { return }
        try MediaFixtures.withScratch { directory in
            let (path, record) = try Self.labelled(name, in: directory)
            let probe = try Self.run(
                ffprobe,
                ["-v", "error", "-show_entries", "format_tags=AIGC", "-of", "default=nw=1:nk=1", path]
            )
            #expect(probe.status == 0)
            #expect(probe.output.trimmingCharacters(in: .whitespacesAndNewlines) == record.json)
            let decode = try Self.run(ffmpeg, ["-v", "error", "-i", path, "-f", "null", "-"])
            #expect(decode.status == 0)
            #expect(decode.errors.isEmpty, "\(name): \(decode.errors)")
        }
    }

    @Test(arguments: ["sample.wav", "sample-lossy.webp", "sample-lossless.webp", "sample.gif"])
    func ffmpegStillDecodes(name: String) throws {
        guard let ffmpeg = Self.tool("ffmpeg") else { return }
        try MediaFixtures.withScratch { directory in
            let (path, _) = try Self.labelled(name, in: directory)
            let decode = try Self.run(ffmpeg, ["-v", "error", "-i", path, "-f", "null", "-"])
            #expect(decode.status == 0)
            #expect(decode.errors.isEmpty, "\(name): \(decode.errors)")
        }
    }

    @Test(arguments: [
        "sample.png", "with-xmp.png", "sample.jpg", "with-exif-xmp.jpg", "with-exif-record.jpg", "sample-lossy.webp",
        "sample-lossless.webp", "sample.gif",
    ])
    func imageMagickStillDecodes(name: String) throws {
        guard let convert = Self.tool("convert") else { return }
        try MediaFixtures.withScratch { directory in
            let (path, _) = try Self.labelled(name, in: directory)
            let original = try Self.run(
                convert,
                ["\(MediaFixtures.directory)/\(name)", "-format", "%w %h %#", "info:"]
            )
            let decoded = try Self.run(convert, [path, "-format", "%w %h %#", "info:"])
            #expect(decoded.status == 0)
            // Same size and the same pixels (the signature hashes them): nothing was re-encoded.
            #expect(decoded.output == original.output)
            #expect(!decoded.output.isEmpty)
        }
    }

    /// The pixels ImageMagick decodes from a file.
    static func decoded(_ path: String, convert: String) throws -> PNGPixels {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: convert)
        process.arguments = [path, "-depth", "8", "png24:-"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try PNGPixels(bytes: Array(data))
    }

    @Test(arguments: [
        ("colour-420.jpg", VisibleLabel.Position.bottomRight), ("portrait-gray.jpg", .topLeft),
        ("restart.jpg", .bottomLeft), ("with-exif-xmp.jpg", .topRight),
        // Progressive (4:2:0; greyscale; restart intervals that change between scans) and one
        // sequential scan per component: written back as one baseline scan.
        ("progressive-420.jpg", .bottomRight), ("progressive-gray.jpg", .bottomLeft),
        ("progressive-restart.jpg", .topLeft), ("separate-scans.jpg", .bottomRight),
    ])
    func aJPEGGetsTheVisibleMarkAndKeepsEveryOtherBlock(name: String, position: VisibleLabel.Position) throws {
        guard let convert = Self.tool("convert"), let ffmpeg = Self.tool("ffmpeg") else { return }
        try MediaFixtures.withScratch { directory in
            var labeller = MediaFixtures.labeller
            labeller.visible = try VisibleLabel(position: position)
            let source = try MediaFixtures.copy(name, to: directory)
            let labelled = "\(directory)/labelled-\(name)"
            _ = try labeller.label(path: source, destination: labelled, role: .producer(produceID: "mark-1"))
            #expect(LabelChecker.check(path: labelled, seal: MediaFixtures.seal).isValid)
            let decode = try Self.run(ffmpeg, ["-v", "error", "-i", labelled, "-f", "null", "-"])
            #expect(decode.status == 0 && decode.errors.isEmpty, "\(decode.errors)")
            let before = try Self.decoded(source, convert: convert)
            let after = try Self.decoded(labelled, convert: convert)
            guard let box = ExplicitLabelTests.changedBox(before, after) else {
                Issue.record("the mark changed no pixel")
                return
            }
            // Only the blocks under the label changed (16-pixel MCUs at most), in the asked corner.
            let shortest = min(after.width, after.height)
            let margin = Int((Double(shortest) * 0.02).rounded())
            #expect(
                position.rawValue.hasPrefix("top")
                    ? box.y.lowerBound <= margin : box.y.upperBound >= after.height - margin - 1
            )
            #expect(
                position.rawValue.hasSuffix("left")
                    ? box.x.lowerBound <= margin : box.x.upperBound >= after.width - margin - 1
            )
            #expect(box.x.count < after.width / 2 && box.y.count < after.height / 3)
            // The text: rows with light pixels (over half covered) inside the box.
            var rows: [Int] = []
            for y in box.y
            where box.x.contains(where: {
                after.sample(x: $0, y: y, channel: 0) > 180 && before.sample(x: $0, y: y, channel: 0) < 180
                    || after.sample(x: $0, y: y, channel: 0) > 230
            }) {
                rows.append(y)
            }
            let measured = (rows.max() ?? 0) - (rows.min() ?? 0) + 1
            #expect(Double(measured) >= 0.05 * Double(shortest), "text \(measured) px on \(shortest)")
        }
    }

    /// One frame of a video at `time`, as pixels.
    static func frame(_ path: String, at time: String, ffmpeg: String, in directory: String) throws -> PNGPixels {
        let output = "\(directory)/frame-\(UUID().uuidString).png"
        let result = try Self.run(
            ffmpeg,
            ["-v", "error", "-y", "-ss", time, "-i", path, "-frames:v", "1", "-pix_fmt", "rgb24", output]
        )
        #expect(result.status == 0, "\(result.errors)")
        return try PNGPixels(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: output))))
    }

    /// LBL-4.4, GB-5.4: the label is on the opening frame and still at 1.9 s, at least 5 % of the
    /// shortest side high; gone later; the implicit label and the other metadata stay.
    @Test func aVideoShowsItsLabelForItsFirstSeconds() throws {
        guard let ffmpeg = Self.tool("ffmpeg"), let mark = FFmpeg.find(ffmpeg: ffmpeg) else { return }
        try MediaFixtures.withScratch { directory in
            let source = "\(directory)/source.mp4"
            let made = try Self.run(
                ffmpeg,
                [
                    "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=480x270:rate=25", "-f", "lavfi", "-i",
                    "sine=duration=4", "-t", "4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-metadata", "title=样例", source,
                ]
            )
            #expect(made.status == 0, "\(made.errors)")
            var labeller = MediaFixtures.labeller
            labeller.visible = try VisibleLabel()
            labeller.ffmpeg = mark
            let labelled = "\(directory)/labelled.mp4"
            _ = try labeller.label(path: source, destination: labelled, role: .producer(produceID: "video-1"))
            let report = LabelChecker.check(path: labelled, seal: MediaFixtures.seal)
            #expect(report.isValid && report.seal == .valid)
            let probe = try Self.run(
                Self.tool("ffprobe")!,
                ["-v", "error", "-show_entries", "format_tags=title", "-of", "csv=p=0", labelled]
            )
            #expect(probe.output.contains("样例"))
            for (time, shown) in [("0", true), ("1.9", true), ("3.5", false)] {
                let before = try Self.frame(source, at: time, ffmpeg: ffmpeg, in: directory)
                let after = try Self.frame(labelled, at: time, ffmpeg: ffmpeg, in: directory)
                // Pixels the label changed (beyond re-encoding's small differences), bottom-right quarter.
                var rows = Set<Int>()
                var changed = 0
                for y in (after.height / 2)..<after.height {
                    for x in (after.width / 2)..<after.width
                    where (0..<3).contains(where: {
                        abs(after.sample(x: x, y: y, channel: $0) - before.sample(x: x, y: y, channel: $0)) > 60
                    }) {
                        changed += 1
                        if after.sample(x: x, y: y, channel: 0) > 200, after.sample(x: x, y: y, channel: 1) > 200 {
                            rows.insert(y)
                        }
                    }
                }
                if shown {
                    #expect(changed > 1_000, "at \(time) s: \(changed)")
                    let height = (rows.max() ?? 0) - (rows.min() ?? 0) + 1
                    #expect(Double(height) >= 0.05 * 270, "text \(height) px at \(time) s")
                } else {
                    #expect(changed < 50, "at \(time) s: \(changed)")
                }
            }
        }
    }

    /// GB-5.3 in MP3 and FLAC (by ffmpeg): decoded back, the audio opens with short-long-short-short.
    @Test(arguments: ["sample.mp3", "with-record.flac"])
    func compressedAudioGetsTheCueThroughFFmpeg(name: String) throws {
        guard let ffmpeg = Self.tool("ffmpeg"), let tools = FFmpeg.find(ffmpeg: ffmpeg) else { return }
        try MediaFixtures.withScratch { directory in
            var labeller = MediaFixtures.labeller
            labeller.cue = AudioCue(placement: .start)
            labeller.ffmpeg = tools
            let source = try MediaFixtures.copy(name, to: directory)
            let labelled = "\(directory)/labelled-\(name)"
            _ = try labeller.label(path: source, destination: labelled, role: .producer(produceID: "cue-1"))
            #expect(LabelChecker.check(path: labelled, seal: MediaFixtures.seal).isValid)
            let wav = "\(directory)/decoded.wav"
            let decoded = try Self.run(
                ffmpeg,
                ["-v", "error", "-y", "-i", labelled, "-ac", "1", "-c:a", "pcm_s16le", wav]
            )
            #expect(decoded.status == 0, "\(decoded.errors)")
            let runs = try ExplicitLabelTests.runs(Array(try Data(contentsOf: URL(fileURLWithPath: wav))))
            let tones = runs.prefix(9).filter(\.tone).map(\.seconds).prefix(4)
            #expect(tones.count == 4, "\(runs.prefix(10))")
            guard tones.count == 4 else { return }
            let t = Array(tones)
            #expect(t[1] > 2.5 * t[0] && t[1] > 2.5 * t[2] && t[1] > 2.5 * t[3], "\(t)")
        }
    }

    /// GB-5.3 a, b, e: the spoken label names AI and generation, at about 120–160 characters a
    /// minute, before the audio.
    @Test func aSpokenLabelIsSaidAtTheStandardsPace() throws {
        guard Self.tool("espeak-ng") != nil else { return }
        let voice = try VoicePrompt()
        #expect((120...160).contains(voice.charactersPerMinute), "\(voice.charactersPerMinute) characters a minute")
        var labeller = MediaFixtures.labeller
        labeller.cue = AudioCue(placement: .start, voice: voice)
        let original = try MediaFixtures.bytes("sample.wav")
        let (bytes, _) = try labeller.label(bytes: original, role: .producer(produceID: "voice-1"))
        #expect(LabelChecker.check(bytes: bytes, seal: MediaFixtures.seal).isValid)
        // 16 kHz mono 16-bit: the voice and a 0.4 s pause come before the original sound.
        let added = Double(bytes.count - original.count - 400) / 32_000
        #expect(abs(added - (voice.duration + 0.4)) < 0.05, "added \(added) s")
        // Speech fills most of the voice's time (syllables with short gaps).
        var elapsed = 0.0
        var spoken = 0.0
        for run in try ExplicitLabelTests.runs(bytes) where elapsed < voice.duration {
            if run.tone { spoken += run.seconds }
            elapsed += run.seconds
        }
        #expect(spoken > voice.duration / 2, "\(spoken) s of sound in \(voice.duration) s")
        #expect(throws: MediaError.self) { try VoicePrompt(text: "本内容由模型输出") }
    }
}
