import Foundation

/// The explicit labels that mean re-encoding, which Hegui leaves to ffmpeg when it is installed:
///
/// - a video's (LBL-4.4, GB-5.4): the label's box over the opening frames for at least two seconds,
///   its text at least 5 % of the frame's shortest side, rendered as a transparent PNG with the
///   project's glyphs and overlaid by ffmpeg (H.264, high quality; audio and metadata copied);
/// - the audio cue in MP3 and FLAC (LBL-4.2, GB-5.3): the cue's samples made by ``AudioCue`` and
///   joined to the audio by ffmpeg, which encodes the result again (metadata copied).
///
/// Without ffmpeg these files keep their implicit label only.
package struct FFmpeg: Sendable {
    package var ffmpeg: String
    package var ffprobe: String
    /// How long the label stays on screen from the first frame (at least 2 s).
    package var seconds: Double

    package init(ffmpeg: String, ffprobe: String, seconds: Double = 3) {
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe
        self.seconds = max(2, seconds)
    }

    /// ffmpeg and ffprobe from `PATH` (or the directory of `ffmpeg`), when installed.
    package static func find(ffmpeg: String? = nil) -> FFmpeg? {
        let candidates: [String]
        if let ffmpeg {
            candidates = [ffmpeg]
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            candidates = path.split(separator: ":").map { "\($0)/ffmpeg" }
        }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            let probe = URL(fileURLWithPath: candidate).deletingLastPathComponent().appendingPathComponent("ffprobe")
                .path
            if FileManager.default.isExecutableFile(atPath: probe) {
                return FFmpeg(ffmpeg: candidate, ffprobe: probe)
            }
        }
        return nil
    }

    /// Runs a tool; returns its standard output, or throws with its standard error.
    static func run(_ tool: String, _ arguments: [String]) throws(MediaError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw MediaError("cannot run \(tool): \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: "; ")
            throw MediaError("\(URL(fileURLWithPath: tool).lastPathComponent) failed: \(text)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The label's box as an RGBA image: the translucent box with the text over it.
    static func overlay(_ label: VisibleLabel, _ layout: VisibleLabel.Layout) -> [UInt8] {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(layout.width * layout.height * 4)
        let box = label.style == .light ? 0.0 : 255.0
        let ink = label.style == .light ? 255.0 : 0.0
        for y in 0..<layout.height {
            for x in 0..<layout.width {
                let textX = x - layout.padding
                let textY = y - layout.padding
                var text = 0.0
                if textX >= 0, textY >= 0, textX < layout.raster.width, textY < layout.raster.height {
                    text = Double(layout.raster.coverage[textY * layout.raster.width + textX]) / 255
                }
                let alpha = text + VisibleLabel.boxAlpha * (1 - text)
                let colour = (ink * text + box * VisibleLabel.boxAlpha * (1 - text)) / alpha
                let value = UInt8(min(255, max(0, colour.rounded())))
                pixels += [value, value, value, UInt8((alpha * 255).rounded())]
            }
        }
        return PNGWriter.png(width: layout.width, height: layout.height, channels: 4, pixels: pixels)
    }

    /// Writes `source` with the label over its opening seconds to `destination` (an MP4 or MOV).
    func render(_ label: VisibleLabel, source: String, destination: String) throws(MediaError) {
        let size = try Self.run(
            self.ffprobe,
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", source]
        )
        let parts = size.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
        guard parts.count == 2 else { throw MediaError("the file has no video stream to draw a label on") }
        let layout = try label.layout(width: parts[0], height: parts[1])
        let overlay = NSTemporaryDirectory() + "hegui-label-\(UUID().uuidString).png"
        guard FileManager.default.createFile(atPath: overlay, contents: Data(Self.overlay(label, layout))) else {
            throw MediaError("cannot write the label overlay")
        }
        defer { try? FileManager.default.removeItem(atPath: overlay) }
        let seconds = String(format: "%.2f", self.seconds)
        _ = try Self.run(
            self.ffmpeg,
            [
                "-v", "error", "-y", "-i", source, "-i", overlay, "-filter_complex",
                "[0:v][1:v]overlay=\(layout.x):\(layout.y):enable='lt(t,\(seconds))'[v]", "-map", "[v]", "-map", "0:a?",
                "-map_metadata", "0", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
                "-c:a", "copy", "-movflags", "+faststart", "-f", "mp4", destination,
            ]
        )
    }

    /// Writes `source` (MP3 or FLAC) with `cue` joined to its audio to `destination`, in the same
    /// format, sample rate and channels.
    func cue(_ cue: AudioCue, source: String, destination: String, format: MediaFormat) throws(MediaError) {
        let stream = try Self.run(
            self.ffprobe,
            [
                "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate,channels", "-of",
                "csv=p=0", source,
            ]
        )
        let parts = stream.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else { throw MediaError("the file has no audio stream") }
        let (rate, channels) = (parts[0], parts[1])
        let shape = AudioCue.Format(
            tag: 1,
            channels: channels,
            sampleRate: rate,
            bitsPerSample: 16,
            blockAlign: 2 * channels
        )
        let directory = NSTemporaryDirectory() + "hegui-cue-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var inputs: [String] = []
        for (trailing, wanted) in [(false, cue.placement != .end), (true, cue.placement != .start)] where wanted {
            let path = "\(directory)/\(trailing ? "end" : "start").wav"
            let samples = cue.samples(for: shape, trailing: trailing)
            let wav = AudioCue.wav(samples, format: shape)
            guard FileManager.default.createFile(atPath: path, contents: Data(wav)) else {
                throw MediaError("cannot write the audio cue")
            }
            inputs.append(path)
        }
        // The cue files and the audio, in order, made alike and joined.
        let ordered = cue.placement == .end ? [source] + inputs : [inputs[0], source] + inputs.dropFirst()
        var arguments = ["-v", "error", "-y"]
        for path in ordered { arguments += ["-i", path] }
        let sourceIndex = ordered.firstIndex(of: source)!
        let layout =
            "sample_fmts=s16:sample_rates=\(rate):channel_layouts=\(channels == 1 ? "mono" : channels == 2 ? "stereo" : "\(channels)c")"
        var filter = ""
        for index in ordered.indices { filter += "[\(index):a]aformat=\(layout)[a\(index)];" }
        filter += ordered.indices.map { "[a\($0)]" }.joined() + "concat=n=\(ordered.count):v=0:a=1[out]"
        let codec = format == .flac ? ["-c:a", "flac"] : ["-c:a", "libmp3lame", "-q:a", "2", "-id3v2_version", "4"]
        arguments +=
            [
                "-filter_complex", filter, "-map", "[out]", "-map_metadata", String(sourceIndex),
            ] + codec + ["-f", format == .flac ? "flac" : "mp3", destination]
        _ = try Self.run(self.ffmpeg, arguments)
    }
}
