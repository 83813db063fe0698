import HeguiCore

/// WAV (PG-202510A): the record as the data of a RIFF chunk with id `AIGC`, written after the
/// other chunks; an existing `AIGC` chunk is replaced.
struct WAVCarrier: LabelCarrier {
    private let input: MediaInput
    private let riff: RIFFChunks
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        self.riff = try RIFFChunks(input: input, format: "WAV")
        guard self.riff.chunks.contains(where: { $0.id == "data" }) else {
            throw MediaError("the WAV file has no data chunk")
        }
        for chunk in self.riff.chunks where chunk.id.uppercased() == "AIGC" {
            let text = try input.read(chunk.data)
            self.records.append(FoundRecord(text: String(decoding: text, as: UTF8.self), place: "WAV RIFF chunk AIGC"))
        }
    }

    var essence: [Range<Int>] { self.riff.chunks.filter { $0.id == "fmt " || $0.id == "data" }.map(\.data) }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        let kept = self.riff.chunks.filter { $0.id.uppercased() != "AIGC" }
        let chunk = RIFFChunks.chunk("AIGC", Array(record.json.utf8))
        let body = kept.reduce(0) { $0 + $1.data.count + 8 + ($1.data.count & 1) } + chunk.count
        try output.write(try RIFFChunks.header(form: "WAVE", bodySize: body))
        for existing in kept {
            try output.copy(existing.start..<existing.data.upperBound, of: self.input)
            if existing.data.count & 1 == 1 { try output.write([0]) }
        }
        try output.write(chunk)
    }
}
