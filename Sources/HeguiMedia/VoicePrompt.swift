import Foundation

/// The spoken label of GB-5.3 (a, b, e): a voice saying a text with both elements ("本内容由人工智能
/// 生成") at about 140 Chinese characters a minute (the standard asks 120–160), synthesised by
/// espeak-ng (Debian's `espeak-ng`, Mandarin voice) when it is installed, as samples ``AudioCue``
/// puts before or after the audio in the file's own format.
package struct VoicePrompt: Sendable, Hashable {
    /// The text spoken by default.
    package static let defaultText = "本内容由人工智能生成"

    package let text: String
    /// The voice, as samples from -1 to 1, silence trimmed.
    let samples: [Double]
    let sampleRate: Int

    /// Synthesises `text` with espeak-ng.
    /// - Throws: ``MediaError`` when espeak-ng is missing or fails, or the text lacks GB-5.1's elements.
    package init(text: String = Self.defaultText, espeak: String? = nil) throws(MediaError) {
        guard (text.contains("人工智能") || text.contains("AI")) && (text.contains("生成") || text.contains("合成")) else {
            throw MediaError("a spoken label must name AI (人工智能 or AI) and generation (生成 or 合成)")
        }
        let candidates =
            espeak.map { [$0] }
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map {
                "\($0)/espeak-ng"
            }
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw MediaError("a spoken label needs espeak-ng (Debian's espeak-ng package), which was not found")
        }
        let output = NSTemporaryDirectory() + "hegui-voice-\(UUID().uuidString).wav"
        defer { try? FileManager.default.removeItem(atPath: output) }

        // espeak-ng's speed is in words a minute; its Mandarin voice says about 0.96 characters in a
        // word's time (silence trimmed), so 146 gives about 140 characters a minute.
        _ = try FFmpeg.run(tool, ["-v", "cmn", "-s", "146", "-w", output, text])
        let wav = try MediaInput(path: output)
        let riff = try RIFFChunks(input: wav, format: "WAV")
        guard let fmt = riff.chunks.first(where: { $0.id == "fmt " }),
            let data = riff.chunks.first(where: { $0.id == "data" })
        else { throw MediaError("espeak-ng wrote no audio") }
        let format = try AudioCue.format(of: try wav.read(fmt.data))
        guard format.bitsPerSample == 16, !format.isFloat else {
            throw MediaError("espeak-ng wrote an unexpected format")
        }
        let bytes = try wav.read(data.data)
        var samples: [Double] = []
        samples.reserveCapacity(bytes.count / (2 * format.channels))
        var index = 0
        while index + 2 * format.channels <= bytes.count {
            samples.append(Double(Int16(bitPattern: UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8)) / 32_768)
            index += 2 * format.channels
        }
        // Trim the silence espeak-ng leaves around the words.
        let loud = samples.indices.filter { abs(samples[$0]) > 0.01 }
        guard let first = loud.first, let last = loud.last else { throw MediaError("espeak-ng wrote silence") }
        self.text = text
        self.samples = Array(samples[first...last])
        self.sampleRate = format.sampleRate
    }

    /// Characters spoken a minute (GB-5.3 e: about 120–160).
    package var charactersPerMinute: Double { Double(self.text.count) / self.duration * 60 }

    /// How long the voice speaks, in seconds.
    package var duration: Double { Double(self.samples.count) / Double(self.sampleRate) }

    /// The voice resampled (linearly) to `rate`.
    func resampled(to rate: Int) -> [Double] {
        guard rate != self.sampleRate, !self.samples.isEmpty else { return self.samples }
        let count = Int(Double(self.samples.count) * Double(rate) / Double(self.sampleRate))
        return (0..<count).map { index in
            let position = Double(index) * Double(self.sampleRate) / Double(rate)
            let lower = min(self.samples.count - 1, Int(position))
            let upper = min(self.samples.count - 1, lower + 1)
            let fraction = position - Double(lower)
            return self.samples[lower] * (1 - fraction) + self.samples[upper] * fraction
        }
    }
}
