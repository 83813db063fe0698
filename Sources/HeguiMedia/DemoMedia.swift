import Foundation

/// Stand-in pictures and sounds for the built-in demo model, so that the image and speech
/// endpoints (and their labels) can be tried without a real model: a PNG of soft colour bands
/// derived from the prompt, and a WAV of tones, one per character of the text.
package enum DemoMedia {
    /// A `width` × `height` RGB PNG whose colours follow a hash of `seed`.
    package static func png(width: Int, height: Int, seed: String) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let from = (Double(hash & 0xFF), Double(hash >> 8 & 0xFF), Double(hash >> 16 & 0xFF))
        let to = (Double(hash >> 24 & 0xFF), Double(hash >> 32 & 0xFF), Double(hash >> 40 & 0xFF))
        var pixels: [UInt8] = []
        pixels.reserveCapacity(height * width * 3)
        for y in 0..<height {
            for x in 0..<width {
                let t = (Double(x) / Double(max(1, width - 1)) + Double(y) / Double(max(1, height - 1))) / 2
                let wave = 0.5 + 0.5 * sin(Double(x + y) / 9)
                for (a, b) in [(from.0, to.0), (from.1, to.1), (from.2, to.2)] {
                    pixels.append(UInt8(min(255, max(0, a + (b - a) * t + 12 * (wave - 0.5)))))
                }
            }
        }
        return PNGWriter.png(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// A 16 kHz mono WAV with one short tone per character of `text` (at most ten seconds).
    package static func wav(text: String) -> [UInt8] {
        let rate = 16_000
        let perCharacter = rate / 12
        var samples: [UInt8] = []
        for (index, scalar) in text.unicodeScalars.prefix(120).enumerated() {
            let frequency = 220 + Double(scalar.value % 24) * 30
            for n in 0..<perCharacter {
                let envelope = sin(Double.pi * Double(n) / Double(perCharacter))
                let value = Int(6_000 * envelope * sin(2 * Double.pi * frequency * Double(n + index) / Double(rate)))
                samples.appendUInt16LE(value & 0xFFFF)
            }
        }
        var format: [UInt8] = []
        format.appendUInt16LE(1)
        format.appendUInt16LE(1)
        format.appendUInt32LE(rate)
        format.appendUInt32LE(rate * 2)
        format.appendUInt16LE(2)
        format.appendUInt16LE(16)
        let body = RIFFChunks.chunk("fmt ", format) + RIFFChunks.chunk("data", samples)
        return Array("RIFF".utf8)
            + {
                var size: [UInt8] = []
                size.appendUInt32LE(body.count + 4)
                return size
            }()
            + Array("WAVE".utf8) + body
    }
}
