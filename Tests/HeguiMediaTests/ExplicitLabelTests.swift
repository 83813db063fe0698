import Foundation
import HeguiCore
import HeguiMedia
import Testing

/// Explicit labels in files (LBL-4.2, LBL-4.3, GB-5.2, GB-5.3): the visible mark's height measured
/// on the output pixels, the rest of the image untouched, and the audio cue's rhythm decoded.
struct ExplicitLabelTests {
    static func marking(
        _ name: String,
        _ visible: VisibleLabel
    ) throws -> (before: PNGPixels, after: PNGPixels, bytes: [UInt8]) {
        var labeller = MediaFixtures.labeller
        labeller.visible = visible
        let original = try MediaFixtures.bytes(name)
        let (bytes, _) = try labeller.label(bytes: original, name: name, role: .producer(produceID: "mark-1"))
        return (try PNGPixels(bytes: original), try PNGPixels(bytes: bytes), bytes)
    }

    /// The pixels that differ from the original, as a bounding box.
    static func changedBox(_ before: PNGPixels, _ after: PNGPixels) -> (x: ClosedRange<Int>, y: ClosedRange<Int>)? {
        var xs: [Int] = []
        var ys: [Int] = []
        for y in 0..<after.height where before.rows[y] != after.rows[y] {
            ys.append(y)
            for x in 0..<after.width
            where (0..<after.channels).contains(where: {
                before.sample(x: x, y: y, channel: $0) != after.sample(x: x, y: y, channel: $0)
            }) {
                xs.append(x)
            }
        }
        guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max() else { return nil }
        return (minX...maxX, minY...maxY)
    }

    @Test(arguments: [
        ("portrait-gray.png", VisibleLabel.Position.bottomRight),
        ("landscape-rgb.png", .topLeft),
        ("rgba.png", .bottomLeft),
        ("testsrc.png", .topRight),
        ("testsrc.png", .bottomRight),
        ("sample.png", .bottomRight),
        // Many deflate blocks: decoding stopped early (top), blocks after or before the label reused.
        ("grain.png", .topLeft), ("grain.png", .topRight), ("grain.png", .bottomLeft), ("grain.png", .bottomRight),
    ])
    func theTextIsAtLeastFivePercentOfTheShortestSideInItsCorner(name: String, position: VisibleLabel.Position) throws {
        let (before, after, bytes) = try Self.marking(name, try VisibleLabel(text: "AI生成", position: position))
        #expect(after.width == before.width && after.height == before.height)
        guard let box = Self.changedBox(before, after) else {
            Issue.record("the label changed no pixel")
            return
        }
        // The box sits in the asked corner, and nothing outside it changed.
        #expect(
            position.rawValue.hasPrefix("top")
                ? box.y.lowerBound < after.height / 2 : box.y.upperBound >= after.height / 2
        )
        #expect(
            position.rawValue.hasSuffix("left")
                ? box.x.lowerBound < after.width / 2 : box.x.upperBound >= after.width / 2
        )
        // White text on the dark box (51 over this grey): rows with pixels over half covered by text.
        var textRows: [Int] = []
        for y in box.y where box.x.contains(where: { x in after.sample(x: x, y: y, channel: 0) > 153 }) {
            textRows.append(y)
        }
        let shortest = min(after.width, after.height)
        let measured = (textRows.max() ?? 0) - (textRows.min() ?? 0) + 1
        #expect(Double(measured) >= 0.05 * Double(shortest), "text \(measured) px on a shortest side of \(shortest)")
        #expect(Double(measured) <= max(8, 0.08 * Double(shortest)))
        // And the file still carries its one implicit label.
        #expect(LabelChecker.check(bytes: bytes, seal: MediaFixtures.seal).isValid)
    }

    /// A noise image whose zlib stream is over a mebibyte (read in several pieces), in one IDAT
    /// chunk or in many of an odd size (the splice copies whole chunks and cuts partial ones), from
    /// memory and from a file: the label lands in its corner and nothing else changes.
    @Test(arguments: [
        (1 << 30, VisibleLabel.Position.bottomRight), (1 << 30, .topLeft), (3001, .bottomRight), (3001, .topLeft),
    ])
    func aLargeStreamInOneChunkOrManyIsSplicedExactly(chunkSize: Int, position: VisibleLabel.Position) throws {
        let original = Self.noisePNG(width: 700, height: 600, chunkSize: chunkSize)
        var labeller = MediaFixtures.labeller
        labeller.visible = try VisibleLabel(text: "AI生成", position: position)
        let (fromMemory, _) = try labeller.label(bytes: original, name: "noise.png", role: .producer(produceID: "n-1"))
        let fromFile = try MediaFixtures.withScratch { directory in
            let path = directory + "/noise.png"
            try Data(original).write(to: URL(fileURLWithPath: path))
            _ = try labeller.label(path: path, destination: path, role: .producer(produceID: "n-1"))
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        let before = try PNGPixels(bytes: original)
        for bytes in [fromMemory, fromFile] {
            let after = try PNGPixels(bytes: bytes)
            let box = try #require(Self.changedBox(before, after))
            #expect(position == .topLeft ? box.y.upperBound < 300 && box.x.upperBound < 350 : box.y.lowerBound >= 300)
            #expect(LabelChecker.check(bytes: bytes, seal: MediaFixtures.seal).isValid)
        }
        #expect(try PNGPixels(bytes: fromMemory).rows == PNGPixels(bytes: fromFile).rows)
    }

    /// An RGB PNG of seeded noise, its zlib stream of stored blocks cut into IDAT chunks of
    /// `chunkSize` bytes.
    static func noisePNG(width: Int, height: Int, chunkSize: Int) -> [UInt8] {
        var generator = SeededGenerator(seed: 7)
        var raw: [UInt8] = []
        for _ in 0..<height {
            raw.append(UInt8.random(in: 0...4, using: &generator))  // every filter type
            for _ in 0..<width * 3 { raw.append(UInt8.random(in: 0...255, using: &generator)) }
        }
        var stream: [UInt8] = [0x78, 0x01]
        var offset = 0
        while offset < raw.count {
            let count = min(65_535, raw.count - offset)
            stream.append(offset + count == raw.count ? 1 : 0)
            stream += [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            stream += raw[offset..<offset + count]
            offset += count
        }
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        stream += Self.bigEndian(b << 16 | a)
        func chunk(_ type: String, _ data: ArraySlice<UInt8>) -> [UInt8] {
            let body = Array(type.utf8) + data
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in body {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return Self.bigEndian(UInt32(data.count)) + body + Self.bigEndian(~crc)
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", Self.bigEndian(UInt32(width))[...] + Self.bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        var start = 0
        while start < stream.count {
            png += chunk("IDAT", stream[start..<min(stream.count, start + chunkSize)])
            start += chunkSize
        }
        return png + chunk("IEND", [])
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    @Test func aLargerShareGivesLargerText() throws {
        let (before, after, _) = try Self.marking(
            "landscape-rgb.png",
            try VisibleLabel(text: "本内容由人工智能生成", position: .bottomLeft, style: .dark, heightFraction: 0.08)
        )
        guard let box = Self.changedBox(before, after) else {
            Issue.record("the label changed no pixel")
            return
        }
        var textRows: [Int] = []
        // Black text on the light box (204 over this grey): rows with pixels over half covered.
        for y in box.y where box.x.contains(where: { x in after.sample(x: x, y: y, channel: 0) < 102 }) {
            textRows.append(y)
        }
        let measured = (textRows.max() ?? 0) - (textRows.min() ?? 0) + 1
        #expect(Double(measured) >= 0.08 * 500)
    }

    @Test(arguments: [
        ("AI", "must name AI"), ("生成", "must name AI"), ("AI生成😀", "no glyph"),
    ])
    func aLabelWithoutBothElementsOrWithoutGlyphsIsRefused(text: String, message: String) {
        #expect {
            _ = try VisibleLabel(text: text)
        } throws: { error in
            (error as? MediaError)?.description.contains(message) == true
        }
        #expect(throws: MediaError.self) { try VisibleLabel(heightFraction: 0.04) }
    }

    @Test func aLabelTooLargeForTheImageIsRefused() throws {
        var labeller = MediaFixtures.labeller
        labeller.visible = try VisibleLabel(text: "本内容由人工智能生成", heightFraction: 0.3)
        #expect {
            _ = try labeller.label(bytes: try MediaFixtures.bytes("sample.png"), role: .producer(produceID: "x"))
        } throws: { error in
            (error as? MediaError)?.description.contains("too small") == true
        }
    }

    @Test func otherFormatsSayWhatTheyCannotCarry() throws {
        var labeller = MediaFixtures.labeller
        labeller.visible = try VisibleLabel()
        #expect {
            _ = try labeller.label(bytes: try MediaFixtures.bytes("sample-lossy.webp"), role: .producer(produceID: "x"))
        } throws: { error in
            (error as? MediaError)?.description.contains("not available yet") == true
        }
    }

    /// Tone and silence runs of a 16-bit WAV's first channel, in seconds.
    static func runs(_ wav: [UInt8]) throws -> [(tone: Bool, seconds: Double)] {
        var offset = 12
        var rate = 0
        var channels = 1
        var samples: [Int16] = []
        while offset + 8 <= wav.count {
            let id = String(decoding: wav[offset..<offset + 4], as: UTF8.self)
            let size =
                Int(wav[offset + 4]) | Int(wav[offset + 5]) << 8 | Int(wav[offset + 6]) << 16 | Int(wav[offset + 7])
                << 24
            let body = offset + 8
            if id == "fmt " {
                channels = Int(wav[body + 2]) | Int(wav[body + 3]) << 8
                rate = Int(wav[body + 4]) | Int(wav[body + 5]) << 8 | Int(wav[body + 6]) << 16
            } else if id == "data" {
                var index = body
                while index + 1 < body + size {
                    samples.append(Int16(bitPattern: UInt16(wav[index]) | UInt16(wav[index + 1]) << 8))
                    index += 2 * channels
                }
            }
            offset = body + size + (size & 1)
        }
        // Loudness over 5 ms windows.
        let window = rate / 200
        var runs: [(Bool, Double)] = []
        for start in stride(from: 0, to: samples.count - window, by: window) {
            let peak = samples[start..<start + window].map { abs(Int($0)) }.max() ?? 0
            let tone = peak > 2_000
            if let last = runs.last, last.0 == tone {
                runs[runs.count - 1].1 += Double(window) / Double(rate)
            } else {
                runs.append((tone, Double(window) / Double(rate)))
            }
        }
        return runs
    }

    @Test func theAudioCueIsShortLongShortShort() throws {
        var labeller = MediaFixtures.labeller
        labeller.cue = AudioCue(placement: .start)
        let original = try MediaFixtures.bytes("sample.wav")
        let (bytes, _) = try labeller.label(bytes: original, role: .producer(produceID: "cue-1"))
        #expect(LabelChecker.check(bytes: bytes, seal: MediaFixtures.seal).isValid)
        let runs = try Self.runs(bytes)
        let tones = runs.prefix(8).filter(\.tone).map(\.seconds)
        #expect(tones.count == 4, "\(runs)")
        guard tones.count == 4 else { return }
        // Morse "AI": short, long (three times as long), short, short.
        #expect(tones[1] > 2.5 * tones[0] && tones[1] > 2.5 * tones[2] && tones[1] > 2.5 * tones[3])
        #expect(abs(tones[0] - tones[2]) < 0.02 && abs(tones[0] - tones[3]) < 0.02)
        // The original sound follows the cue unchanged: its samples are the file's last bytes.
        let audio = try #require(original.firstRange(of: Array("data".utf8)))
        let originalSamples = original[(audio.upperBound + 4)...]
        #expect(bytes.count > original.count)
        #expect(
            Array(bytes.suffix(originalSamples.count + 500)).firstRange(of: Array(originalSamples.prefix(64))) != nil
        )
    }

    @Test func theCueCanAlsoCloseTheAudio() throws {
        var labeller = MediaFixtures.labeller
        labeller.cue = AudioCue(placement: .both)
        let (bytes, _) = try labeller.label(
            bytes: try MediaFixtures.bytes("sample.wav"),
            role: .producer(produceID: "cue-2")
        )
        let runs = try Self.runs(bytes)
        let tones = runs.filter(\.tone)
        // Four tones of the opening cue, the original sine, four tones of the closing cue.
        #expect(tones.count == 9, "\(runs)")
    }
}
