import Foundation

/// The audio label of GB-5.3 (LBL-4.2) for WAV files: the rhythm "短长短短" (short-long-short-short,
/// Morse for "AI": ·− ··) as tones added before the content, and optionally after it, in the file's
/// own sample format (PCM of 8, 16, 24 or 32 bits, or 32-bit float; any channel count). The audio
/// itself is copied, not re-encoded.
package struct AudioCue: Sendable, Hashable {
    /// Where the cue is added.
    package enum Placement: String, Sendable, Hashable, CaseIterable {
        case start, end, both
    }

    package var placement: Placement
    /// The tone's pitch in hertz.
    package var frequency: Double
    /// One Morse unit: a short tone; a long one is three units.
    package var unit: Double
    /// Peak amplitude as a share of full scale.
    package var amplitude: Double
    /// A spoken label instead of the rhythm (GB-5.3 a: either is allowed), when set.
    package var voice: VoicePrompt?

    package init(
        placement: Placement = .start,
        frequency: Double = 1_000,
        unit: Double = 0.12,
        amplitude: Double = 0.3,
        voice: VoicePrompt? = nil
    ) {
        self.placement = placement
        self.frequency = frequency
        self.unit = unit
        self.amplitude = amplitude
        self.voice = voice
    }

    /// Tone and silence lengths in units: short, gap, long, letter gap, short, gap, short, then a
    /// pause before the content.
    static let pattern: [(tone: Bool, units: Int)] = [
        (true, 1), (false, 1), (true, 3), (false, 3), (true, 1), (false, 1), (true, 1), (false, 4),
    ]

    struct Format {
        var tag: Int
        var channels: Int
        var sampleRate: Int
        var bitsPerSample: Int
        var blockAlign: Int
        var isFloat: Bool { self.tag == 3 }
    }

    static func format(of fmt: [UInt8]) throws(MediaError) -> Format {
        guard fmt.count >= 16 else { throw .truncated("WAV") }
        var tag = fmt.uint16LE(at: 0)
        if tag == 0xFFFE, fmt.count >= 26 { tag = fmt.uint16LE(at: 24) }  // WAVE_FORMAT_EXTENSIBLE's sub-format
        let format = Format(
            tag: tag,
            channels: fmt.uint16LE(at: 2),
            sampleRate: fmt.uint32LE(at: 4),
            bitsPerSample: fmt.uint16LE(at: 14),
            blockAlign: fmt.uint16LE(at: 12)
        )
        let supported =
            (format.tag == 1 && [8, 16, 24, 32].contains(format.bitsPerSample))
            || (format.tag == 3 && format.bitsPerSample == 32)
        guard supported, format.channels > 0, format.sampleRate > 0,
            format.blockAlign == format.channels * format.bitsPerSample / 8
        else {
            throw MediaError(
                "the WAV file's sample format cannot carry an audio cue (PCM 8/16/24/32-bit or 32-bit float)"
            )
        }
        return format
    }

    /// The cue's samples in `format`, interleaved for every channel.
    func samples(for format: Format, trailing: Bool) -> [UInt8] {
        if let voice = self.voice {
            // The voice, with a pause between it and the content.
            let pause = [Double](repeating: 0, count: format.sampleRate * 2 / 5)
            let spoken = voice.resampled(to: format.sampleRate)
            var output: [UInt8] = []
            for value in trailing ? pause + spoken : spoken + pause {
                for _ in 0..<format.channels {
                    Self.append(value, bytes: format.bitsPerSample / 8, float: format.isFloat, to: &output)
                }
            }
            return output
        }
        let rate = Double(format.sampleRate)
        var pattern = Self.pattern
        if trailing {  // after the content: a pause first, none after
            pattern = [(false, 4)] + pattern.dropLast()
        }
        var output: [UInt8] = []
        let bytesPerSample = format.bitsPerSample / 8
        output.reserveCapacity(Int(rate * self.unit * 15) * format.blockAlign)
        let ramp = max(1, Int(rate * 0.005))  // 5 ms fades keep the tones free of clicks
        for (tone, units) in pattern {
            let count = Int((rate * self.unit * Double(units)).rounded())
            for index in 0..<count {
                var value = 0.0
                if tone {
                    let fade = min(1, Double(min(index, count - 1 - index)) / Double(ramp))
                    value = self.amplitude * fade * sin(2 * Double.pi * self.frequency * Double(index) / rate)
                }
                for _ in 0..<format.channels {
                    Self.append(value, bytes: bytesPerSample, float: format.isFloat, to: &output)
                }
            }
        }
        return output
    }

    private static func append(_ value: Double, bytes: Int, float: Bool, to output: inout [UInt8]) {
        if float {
            let bits = Float(value).bitPattern
            output += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
            return
        }
        switch bytes {
        case 1:
            output.append(UInt8(clamping: Int((value * 127).rounded()) + 128))
        default:
            let maximum = Double((1 << (bytes * 8 - 1)) - 1)
            let sample = Int((value * maximum).rounded())
            for byte in 0..<bytes { output.append(UInt8(truncatingIfNeeded: sample >> (8 * byte))) }
        }
    }

    /// A whole WAV file of `samples` in `format` (for ffmpeg to join to other audio).
    static func wav(_ samples: [UInt8], format: Format) -> [UInt8] {
        var fmt: [UInt8] = []
        fmt.appendUInt16LE(format.tag)
        fmt.appendUInt16LE(format.channels)
        fmt.appendUInt32LE(format.sampleRate)
        fmt.appendUInt32LE(format.sampleRate * format.blockAlign)
        fmt.appendUInt16LE(format.blockAlign)
        fmt.appendUInt16LE(format.bitsPerSample)
        let body = RIFFChunks.chunk("fmt ", fmt) + RIFFChunks.chunk("data", samples)
        var header = Array("RIFF".utf8)
        header.appendUInt32LE(body.count + 4)
        return header + Array("WAVE".utf8) + body
    }

    /// Writes the WAV file with the cue in its data chunk; every other chunk is kept.
    func write(_ input: MediaInput, to output: MediaOutput) throws(MediaError) {
        let riff = try RIFFChunks(input: input, format: "WAV")
        guard let fmt = riff.chunks.first(where: { $0.id == "fmt " }),
            let dataIndex = riff.chunks.firstIndex(where: { $0.id == "data" })
        else { throw MediaError("the WAV file has no fmt or data chunk") }
        let format = try Self.format(of: try input.read(fmt.data))
        let data = riff.chunks[dataIndex]
        let head = self.placement == .end ? [] : self.samples(for: format, trailing: false)
        let tail = self.placement == .start ? [] : self.samples(for: format, trailing: true)
        // Whole sample frames only: a damaged last frame is dropped rather than shifting channels.
        let audio =
            data.data.lowerBound..<(data.data.lowerBound + data.data.count / format.blockAlign * format.blockAlign)
        let size = head.count + audio.count + tail.count
        let body = riff.chunks.enumerated().reduce(0) { total, item in
            let length = item.offset == dataIndex ? size : item.element.data.count
            return total + 8 + length + (length & 1)
        }
        try output.write(try RIFFChunks.header(form: "WAVE", bodySize: body))
        for (index, chunk) in riff.chunks.enumerated() {
            if index == dataIndex {
                var header = Array("data".utf8)
                header.appendUInt32LE(size)
                try output.write(header)
                try output.write(head)
                try output.copy(audio, of: input)
                try output.write(tail)
                if size & 1 == 1 { try output.write([0]) }
            } else {
                try output.copy(chunk.start..<chunk.data.upperBound, of: input)
                if chunk.data.count & 1 == 1 { try output.write([0]) }
            }
        }
    }
}
