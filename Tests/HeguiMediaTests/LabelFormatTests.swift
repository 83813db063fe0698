import Foundation
import HeguiCore
import HeguiMedia
import Testing

/// Implicit labels in files (IM-12, LBL-5.1, GB-6.1, REQUIREMENTS.md §8.2 and its seven checks).
struct LabelFormatTests {
    @Test(arguments: MediaFixtures.samples.map(\.name))
    func eachFileCarriesExactlyOneSealedRecordAfterLabelling(name: String) throws {
        let format = try #require(MediaFixtures.samples.first { $0.name == name }?.format)
        let original = try MediaFixtures.bytes(name)
        let (labelled, outcome) = try MediaFixtures.labeller.label(
            bytes: original,
            name: name,
            role: .producer(produceID: "item-1")
        )
        #expect(outcome.format == format)
        #expect(outcome.record.produceID == "item-1")
        #expect(outcome.record.contentPropagator == MediaFixtures.producer)  // App. E note 1
        #expect(outcome.record.propagateID == "item-1")
        let report = LabelChecker.check(bytes: labelled, name: name, seal: MediaFixtures.seal)
        #expect(report.isValid, "\(report.problems)")
        #expect(report.records == [outcome.record])
        // The seal covers the file's essence: valid means the image, audio or document bytes are
        // the original's.
        #expect(report.seal == .valid)

        // Labelling again updates the record; it never adds a second one (GB-6.1 c).
        let (again, second) = try MediaFixtures.labeller.label(
            bytes: labelled,
            name: name,
            role: .producer(produceID: "item-2")
        )
        #expect(second.replaced == 1)
        let reread = LabelChecker.check(bytes: again, name: name, seal: MediaFixtures.seal)
        #expect(reread.records.map(\.produceID) == ["item-2"])
        #expect(reread.seal == .valid)
    }

    @Test(arguments: [
        ("with-exif-record.jpg", "JPEG EXIF UserComment"), ("with-record.mp3", "MP3 ID3v2 TXXX AIGC"),
        ("with-record.mp4", "MP4 moov/udta/meta AIGC"), ("with-record.flac", "FLAC Vorbis comment AIGC"),
    ])
    func anOlderRecordIsReadAndReplaced(name: String, place: String) throws {
        let before = LabelChecker.check(bytes: try MediaFixtures.bytes(name), name: name)
        #expect(before.records.map(\.produceID) == ["old-1"])
        #expect(before.places == [place])
        #expect(before.records.first?.label == "2")
        let (labelled, outcome) = try MediaFixtures.labeller.label(
            bytes: try MediaFixtures.bytes(name),
            name: name,
            role: .producer(produceID: "new-1")
        )
        #expect(outcome.replaced == 1)
        let after = LabelChecker.check(bytes: labelled, name: name, seal: MediaFixtures.seal)
        #expect(after.records.map(\.produceID) == ["new-1"])
        #expect(after.isValid)
    }

    /// What the labelled file must still hold of the original's other metadata.
    @Test(arguments: [
        ("with-xmp.png", ["样例 sample", "purl.org/dc/elements/1.1/"]),
        ("with-exif-xmp.jpg", ["HeguiCam", "样例", "Exif"]),
        ("with-exif-record.jpg", ["HeguiCam"]),
        ("sample.mp3", ["TIT2", "样例", "Lavf"]),
        ("sample.flac", ["title=样例"]),
        ("sample-faststart.mp4", ["样例", "title"]),
        ("with-record.mp4", ["样例"]),
        ("sample.pdf", [#"/Title (Sample \(PDF\))"#, "/Producer (hegui fixtures)"]),
        ("sample.docx", ["docProps/core.xml", "word/document.xml"]),
        ("with-front-matter.md", ["title: 样例", "tags: [a, b]", "# 样例 Sample"]),
    ])
    func otherMetadataIsKept(name: String, expected: [String]) throws {
        let (labelled, _) = try MediaFixtures.labeller.label(
            bytes: try MediaFixtures.bytes(name),
            name: name,
            role: .producer(produceID: "item-1")
        )
        let text = String(decoding: labelled, as: UTF8.self)
        for piece in expected {
            #expect(text.contains(piece), "\(name) lost \(piece)")
        }
    }

    @Test func aPNGWithTwoRecordsIsReportedAndLabelledDownToOne() throws {
        let original = try MediaFixtures.bytes("sample.png")
        let old = AIGCRecord(label: .suspected, producer: "001191110102MAD55U9H0F10001", produceID: "old-1")
        // A tEXt chunk `AIGC` (PG-20259A App. B) beside an XMP record.
        let (withXMP, _) = try Labeller(producer: MediaFixtures.producer).label(
            bytes: original,
            role: .producer(produceID: "xmp-1")
        )
        let twice = PNGTestFile.inserting(
            chunk: "tEXt",
            data: Array("AIGC".utf8) + [0] + Array(old.wrappedJSON.utf8),
            into: withXMP
        )
        let report = LabelChecker.check(bytes: twice)
        #expect(report.records.count == 2)
        #expect(!report.isValid)
        #expect(report.problems.contains { $0.contains("exactly one") })
        let (labelled, outcome) = try MediaFixtures.labeller.label(bytes: twice, role: .producer(produceID: "new-1"))
        #expect(outcome.replaced == 2)
        let after = LabelChecker.check(bytes: labelled, seal: MediaFixtures.seal)
        #expect(after.records.map(\.produceID) == ["new-1"])
        #expect(after.isValid)
    }

    @Test func aChangedImageOrACopiedLabelFailsTheSeal() throws {
        let (labelled, _) = try MediaFixtures.labeller.label(
            bytes: try MediaFixtures.bytes("sample.png"),
            role: .producer(produceID: "item-1")
        )
        // Flip one byte of the image data (IDAT's first data byte).
        var changed = labelled
        let idat = try #require(changed.firstRange(of: Array("IDAT".utf8)))
        changed[idat.upperBound + 2] ^= 0x01
        #expect(LabelChecker.check(bytes: changed, seal: MediaFixtures.seal).seal == .invalid)
        // The same record moved onto another image.
        let record = try #require(LabelChecker.check(bytes: labelled).records.first)
        let other = try MediaFixtures.bytes("other.png")
        let copied = PNGTestFile.inserting(
            chunk: "tEXt",
            data: Array("AIGC".utf8) + [0] + Array(record.json.utf8),
            into: other
        )
        let report = LabelChecker.check(bytes: copied, seal: MediaFixtures.seal)
        #expect(report.records == [record])
        #expect(report.seal == .invalid)
    }

    @Test func aPlaceholderProducerIsReportedButConforms() throws {
        let (bytes, _) = try Labeller(producer: ProviderCode.placeholder).label(
            bytes: try MediaFixtures.bytes("sample.png"),
            role: .producer(produceID: "demo-1")
        )
        let report = LabelChecker.check(bytes: bytes)
        #expect(report.isValid)
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("labels.producer") == true)
        #expect(
            LabelChecker.check(
                bytes: try MediaFixtures.labeller.label(bytes: bytes, role: .producer(produceID: "x")).bytes
            ).warnings.isEmpty
        )
    }

    @Test func aPlatformPropagatesAnExistingRecord() throws {
        let (produced, first) = try MediaFixtures.labeller.label(
            bytes: try MediaFixtures.bytes("sample.jpg"),
            role: .producer(produceID: "item-1")
        )
        let platform = Labeller(producer: "001191110102MAD55U9H0F20009", seal: MediaFixtures.seal)
        let (propagated, outcome) = try platform.label(
            bytes: produced,
            role: .propagator(label: .generated, propagateID: "post-77")
        )
        #expect(outcome.record.contentProducer == first.record.contentProducer)
        #expect(outcome.record.produceID == "item-1")
        #expect(outcome.record.reservedCode1 == first.record.reservedCode1)
        #expect(outcome.record.contentPropagator == "001191110102MAD55U9H0F20009")
        #expect(outcome.record.propagateID == "post-77")
        #expect(outcome.record.reservedCode2.hasPrefix("HG1.ED25519."))
        let report = LabelChecker.check(bytes: propagated, seal: MediaFixtures.seal)
        #expect(report.records.count == 1)
        #expect(report.seal == .valid)  // the producer's seal still holds: content and producer fields unchanged
    }

    @Test(arguments: MediaFixtures.sampleNames)
    func aDamagedFileIsNeverHalfWritten(name: String) throws {
        try MediaFixtures.withScratch { directory in
            let original = try MediaFixtures.bytes(name)
            let path = "\(directory)/\(name)"
            let truncated = Array(original.prefix(original.count * 6 / 10))
            try Data(truncated).write(to: URL(fileURLWithPath: path))
            do {
                let outcome = try MediaFixtures.labeller.label(
                    path: path,
                    destination: path,
                    role: .producer(produceID: "item-1")
                )
                // Some formats stay readable when cut (an MP3's frames, Markdown): then the label is whole.
                #expect(LabelChecker.check(path: path).records == [outcome.record])
            } catch {
                #expect(error is MediaError)
                #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == truncated)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [name])
        }
    }

    @Test(arguments: [
        ("png", "truncated or damaged"), ("pdf", "no startxref"), ("mp4", "no moov box"), ("wav", "truncated"),
        ("docx", "not a complete ZIP archive"), ("txt", "cannot be labelled"),
    ])
    func damagedFilesGetAClearError(kind: String, message: String) throws {
        let bytes: [UInt8] =
            switch kind {
            case "png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            case "pdf": Array("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n".utf8)
            case "mp4": [0, 0, 0, 16] + Array("ftypisom".utf8) + [0, 0, 0, 0, 0, 0, 0, 8] + Array("mdat".utf8)
            case "wav": Array("RIFF".utf8) + [100, 0, 0, 0] + Array("WAVEfmt ".utf8) + [200, 0, 0, 0]
            case "docx": [0x50, 0x4B, 0x03, 0x04, 1, 2, 3]
            default: Array("plain text".utf8)
            }
        #expect {
            _ = try MediaFixtures.labeller.label(bytes: bytes, name: "file.\(kind)", role: .producer(produceID: "x"))
        } throws: { error in
            (error as? MediaError)?.description.contains(message) == true
        }
    }

    /// Damaged multi-scan JPEGs under a visible mark: a clear error, and the file untouched. Bits
    /// moved far up (a scan's low bit 13) make coefficients no 8-bit JPEG can hold: writing them
    /// would need symbols past the table's end; a band that runs backwards, or a truncated file,
    /// cannot be decoded.
    @Test(arguments: [
        ("progressive-420.jpg", "low bit 13", "damaged"),
        ("progressive-gray.jpg", "band backwards", "invalid parameters"),
        ("progressive-restart.jpg", "truncated", ""),
        ("separate-scans.jpg", "truncated", ""),
    ])
    func aDamagedMultiScanJPEGKeepsItsMarkOff(name: String, damage: String, message: String) throws {
        var bytes = try MediaFixtures.bytes(name)
        // The scan headers: component count, then two bytes a component, then Ss, Se, Ah/Al.
        var offset = 2
        var headers: [Int] = []
        while offset + 4 <= bytes.count, bytes[offset] == 0xFF, bytes[offset + 1] != 0xD9 {
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if bytes[offset + 1] == 0xDA { headers.append(offset + 4) }
            offset += 2 + length
            if bytes[offset - 2 - length + 1] == 0xDA {
                // Past the entropy-coded data: the next marker that is not a restart or a stuffed byte.
                while offset + 1 < bytes.count,
                    !(bytes[offset] == 0xFF && bytes[offset + 1] != 0 && !(0xD0...0xD7).contains(bytes[offset + 1]))
                {
                    offset += 1
                }
            }
        }
        #expect(headers.count > 1)
        switch damage {
        case "low bit 13":
            for header in headers {
                let tail = header + 1 + 2 * Int(bytes[header])
                if bytes[tail + 2] >> 4 == 0 { bytes[tail + 2] = 13 }
            }
        case "band backwards":
            let header = try #require(headers.last { bytes[$0 + 1 + 2 * Int(bytes[$0])] > 0 })
            let tail = header + 1 + 2 * Int(bytes[header])
            (bytes[tail], bytes[tail + 1]) = (bytes[tail + 1], bytes[tail])
        default:
            bytes = Array(bytes.prefix(headers[1] + 40))
        }
        try MediaFixtures.withScratch { directory in
            let path = "\(directory)/\(name)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            var labeller = MediaFixtures.labeller
            labeller.visible = try VisibleLabel()
            do {
                let outcome = try labeller.label(path: path, destination: path, role: .producer(produceID: "m"))
                // A cut file may still decode (missing bands read as zeros): then the label is whole.
                #expect(message.isEmpty)
                #expect(LabelChecker.check(path: path).records == [outcome.record])
            } catch {
                let description = (error as? MediaError)?.description
                #expect(description != nil && (message.isEmpty || description!.contains(message)), "\(error)")
                #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [name])
        }
    }

    @Test func labellingInPlaceKeepsTheFilesPermissions() throws {
        try MediaFixtures.withScratch { directory in
            let path = try MediaFixtures.copy("sample.wav", to: directory)
            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
            _ = try MediaFixtures.labeller.label(path: path, destination: path, role: .producer(produceID: "item-1"))
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o640)
            #expect(LabelChecker.check(path: path, seal: MediaFixtures.seal).isValid)
        }
    }
}

/// Builds PNG variants for the tests.
enum PNGTestFile {
    /// `png` with a chunk inserted after IHDR.
    static func inserting(chunk type: String, data: [UInt8], into png: [UInt8]) -> [UInt8] {
        var chunk: [UInt8] = []
        let length = UInt32(data.count)
        chunk += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        let body = Array(type.utf8) + data
        chunk += body
        let crc = Self.crc32(body)
        chunk += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        let afterHeader = 8 + 25  // signature, then IHDR (length, type, 13 bytes, CRC)
        return Array(png[..<afterHeader]) + chunk + Array(png[afterHeader...])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
