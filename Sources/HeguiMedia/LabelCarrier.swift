import HeguiCore

/// One file format's view of a file: the AIGC records it holds, the bytes labelling never changes
/// (its essence, which a ``LabelSeal`` covers), and how to write the file again with one record.
protocol LabelCarrier {
    /// Reads the structure of `input`.
    /// - Throws: ``MediaError`` for a damaged or truncated file, or one this format cannot label.
    init(input: MediaInput) throws(MediaError)
    /// Every AIGC record in the file, as written.
    var records: [FoundRecord] { get }
    /// The byte ranges of the essence, in file order.
    var essence: [Range<Int>] { get }
    /// The essence as the written file will hold it, when that differs from ``essence`` (a PDF's
    /// incremental update covers all of the original bytes): ranges of the input, then bytes.
    var essenceOfWrite: (ranges: [Range<Int>], suffix: [UInt8]) { get }
    /// Whether the record's text appears as written in the output (not compressed), so that a seal
    /// can be placed after the rest is written.
    var writesRecordVerbatim: Bool { get }
    /// Writes the file with `record` as its one AIGC record; everything else is kept.
    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError)
}

extension LabelCarrier {
    var essenceOfWrite: (ranges: [Range<Int>], suffix: [UInt8]) { (self.essence, []) }
    var writesRecordVerbatim: Bool { true }
}

/// An AIGC record as found in a file: its text and where it was.
package struct FoundRecord: Sendable, Hashable {
    package var text: String
    package var place: String
}

/// The formats Hegui labels (REQUIREMENTS.md §8.2).
package enum MediaFormat: String, Sendable, Hashable, CaseIterable {
    case png, jpeg, webp, gif, mp3, wav, mp4, flac, pdf, ooxml, markdown

    /// Recognises a format by its first bytes, or by the file name for text formats.
    package static func detect(_ head: [UInt8], name: String) -> MediaFormat? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && head[offset..<offset + magic.count].elementsEqual(magic)
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("RIFF".utf8)), starts(Array("WAVE".utf8), at: 8) { return .wav }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("fLaC".utf8)) { return .flac }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts(Array("ftyp".utf8), at: 4) { return .mp4 }
        if starts(Array("ID3".utf8)) || (head.count >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) { return .mp3 }
        let lowered = name.lowercased()
        if starts([0x50, 0x4B, 0x03, 0x04]),
            [".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm"].contains(where: { lowered.hasSuffix($0) })
        {
            return .ooxml
        }
        if [".md", ".markdown"].contains(where: { lowered.hasSuffix($0) }) { return .markdown }
        return nil
    }

    var carrier: any LabelCarrier.Type {
        switch self {
        case .png: PNGCarrier.self
        case .jpeg: JPEGCarrier.self
        case .webp: WebPCarrier.self
        case .gif: GIFCarrier.self
        case .mp3: MP3Carrier.self
        case .wav: WAVCarrier.self
        case .mp4: MP4Carrier.self
        case .flac: FLACCarrier.self
        case .pdf: PDFCarrier.self
        case .ooxml: OOXMLCarrier.self
        case .markdown: MarkdownCarrier.self
        }
    }
}
