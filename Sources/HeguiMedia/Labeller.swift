import Crypto
import Foundation
package import HeguiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes implicit labels into files (LBL-5.1, GB-6.1) and reads them back.
///
/// Every write goes to a temporary file that is read back (one record, the record written) before
/// it replaces the destination, so a failure never leaves half a file (REQUIREMENTS.md §8.2 checks
/// 1–2). An existing record is updated, not duplicated.
package struct Labeller: Sendable {
    /// What the label says about the producer.
    package var producer: String
    /// Seals each record in `ReservedCode1` when set.
    package var seal: LabelSeal?
    /// The explicit label drawn on PNG and JPEG images (LBL-4.3, GB-5.2), when set.
    package var visible: VisibleLabel?
    /// The audio cue added to WAV files (LBL-4.2, GB-5.3), when set.
    package var cue: AudioCue?
    /// ffmpeg, when installed: draws the visible label over a video's opening seconds (LBL-4.4,
    /// GB-5.4) and puts the audio cue into MP3 and FLAC audio, which both mean re-encoding.
    package var ffmpeg: FFmpeg?

    package init(producer: String, seal: LabelSeal? = nil, visible: VisibleLabel? = nil, cue: AudioCue? = nil) {
        self.producer = producer
        self.seal = seal
        self.visible = visible
        self.cue = cue
    }

    /// Renders the video with its label through ffmpeg.
    private func markVideo(_ input: MediaInput, into output: MediaOutput) throws(MediaError) {
        guard let visible = self.visible else { return }
        try self.throughFiles(input, into: output) { ffmpeg, source, destination throws(MediaError) in
            try ffmpeg.render(visible, source: source, destination: destination)
        }
    }

    /// Runs an ffmpeg step from a file holding `input` to a temporary file copied into `output`.
    private func throughFiles(
        _ input: MediaInput,
        into output: MediaOutput,
        _ step: (FFmpeg, String, String) throws(MediaError) -> Void
    ) throws(MediaError) {
        guard let ffmpeg = self.ffmpeg else { return }
        let directory = NSTemporaryDirectory()
        let source = input.path ?? directory + "hegui-source-\(UUID().uuidString)"
        let rendered = directory + "hegui-rendered-\(UUID().uuidString)"
        defer {
            if input.path == nil { try? FileManager.default.removeItem(atPath: source) }
            try? FileManager.default.removeItem(atPath: rendered)
        }
        if input.path == nil {
            let copy = try MediaOutput(destination: source)
            try copy.copy(0..<input.count, of: input)
            _ = try copy.finish(durable: false)
            try copy.commit(mode: 0o600)
        }
        try step(ffmpeg, source, rendered)
        let result = try MediaInput(path: rendered)
        try output.copy(0..<result.count, of: result)
    }

    /// Whether an explicit label is asked for.
    private var isExplicit: Bool { self.visible != nil || self.cue != nil }

    /// Writes the explicit label of `format` into `output`; `false` when none was asked for.
    /// - Throws: ``MediaError`` when one was asked for and this format cannot carry it.
    private func mark(_ input: MediaInput, format: MediaFormat, into output: MediaOutput) throws(MediaError) -> Bool {
        guard self.isExplicit else { return false }
        switch format {
        case .png:
            guard let visible = self.visible else { return false }
            try PNGMark(input: input).write(visible, to: output)
        case .wav:
            guard let cue = self.cue else { return false }
            try cue.write(input, to: output)
        case .jpeg:
            guard let visible = self.visible else { return false }
            try JPEGMark(input: input).write(visible, to: output)
        case .webp, .gif:
            throw MediaError(
                "a visible label on \(format.rawValue.uppercased()) images is not available yet; PNG and JPEG images carry one (the implicit label works for every format)"
            )
        case .mp4 where self.ffmpeg != nil && self.visible != nil:
            try self.markVideo(input, into: output)
        case .mp4:
            throw MediaError(
                "a video's explicit label is drawn by ffmpeg, which was not found (install it, or pass --ffmpeg); the implicit label needs no ffmpeg"
            )
        case .mp3 where self.ffmpeg != nil && self.cue != nil, .flac where self.ffmpeg != nil && self.cue != nil:
            try self.throughFiles(input, into: output) { ffmpeg, source, destination throws(MediaError) in
                try ffmpeg.cue(self.cue!, source: source, destination: destination, format: format)
            }
        case .mp3, .flac:
            throw MediaError(
                "the audio cue in \(format.rawValue.uppercased()) audio means re-encoding by ffmpeg, which was not found (install it, or pass --ffmpeg); WAV files take the cue without it"
            )
        case .pdf, .ooxml, .markdown:
            throw MediaError("documents carry their explicit label in their text; hegui label writes the implicit one")
        }
        return true
    }

    /// What labelling one file did.
    package struct Outcome: Sendable, Hashable {
        package var format: MediaFormat
        package var record: AIGCRecord
        /// How many records the file held before (replaced by the new one).
        package var replaced: Int
    }

    /// How the record is made.
    package enum Role: Sendable, Hashable {
        /// As the producer: a new record with `produceID`, propagation fields equal (App. E note 1).
        case producer(produceID: String)
        /// As a propagating platform (LBL-6.5): the producer's fields are kept when the file has a
        /// record; `Label`, `ContentPropagator` (this labeller's `producer`), `PropagateID` and
        /// `ReservedCode2` are set.
        case propagator(label: AIGCRecord.Label, propagateID: String)
    }

    /// Labels the file at `path`, writing to `destination` (the same path to label in place).
    package func label(path: String, destination: String, role: Role) throws(MediaError) -> Outcome {
        var input = try MediaInput(path: path)
        let format = try Self.format(of: input, name: path)
        // The explicit label first, into a temporary file that the implicit label then reads.
        var marked: MediaOutput?
        if self.isExplicit {
            let output = try MediaOutput(destination: destination)
            if try self.mark(input, format: format, into: output), let path = try output.finish(durable: false) {
                input = try MediaInput(path: path)  // stays readable when `marked` removes the file
            }
            marked = output
        }
        defer { withExtendedLifetime(marked) {} }
        let carrier = try format.carrier.init(input: input)
        var status = stat()
        let mode = stat(path, &status) == 0 ? UInt32(status.st_mode & 0o7777) : nil
        let output = try MediaOutput(destination: destination)
        let record: AIGCRecord
        if let seal = self.seal, seal.canSeal, carrier.writesRecordVerbatim {
            // The essence is hashed on another thread while the file is written with a stand-in
            // seal of the same length, which is then overwritten where it landed.
            let essence = carrier.essenceOfWrite
            let hashing = EssenceHashing(input: input, ranges: essence.ranges, suffix: essence.suffix)
            let unsealed = try self.record(for: carrier, role: role, input: input, sealed: false)
            let standIn = try self.sealed(
                unsealed,
                seal: seal,
                digest: (0..<32).map { _ in UInt8.random(in: 0...255) },
                role: role
            )
            output.watch(for: Array(Self.sealValue(standIn, role: role).utf8))
            try carrier.write(standIn, to: output)
            record = try self.sealed(unsealed, seal: seal, digest: try hashing.digest(), role: role)
            try output.overwriteWatched(with: Array(Self.sealValue(record, role: role).utf8))
        } else {
            record = try self.record(for: carrier, role: role, input: input)
            try carrier.write(record, to: output)
        }
        if let written = try output.finish() {
            try Self.readBack(MediaInput(path: written), format: format, expecting: record)
        }
        try output.commit(mode: mode)
        return Outcome(format: format, record: record, replaced: carrier.records.count)
    }

    /// Labels a file held in memory (a model's base64 answer).
    package func label(
        bytes: [UInt8],
        name: String = "",
        role: Role
    ) throws(MediaError) -> (bytes: [UInt8], outcome: Outcome) {
        var input = MediaInput(bytes: bytes)
        let format = try Self.format(of: input, name: name)
        let marked = MediaOutput()
        if try self.mark(input, format: format, into: marked) { input = MediaInput(bytes: marked.bytes) }
        let carrier = try format.carrier.init(input: input)
        let record = try self.record(for: carrier, role: role, input: input)
        let output = MediaOutput()
        try carrier.write(record, to: output)
        try Self.readBack(MediaInput(bytes: output.bytes), format: format, expecting: record)
        return (output.bytes, Outcome(format: format, record: record, replaced: carrier.records.count))
    }

    static func format(of input: MediaInput, name: String) throws(MediaError) -> MediaFormat {
        guard let format = MediaFormat.detect(try input.read(at: 0, upTo: 16), name: name) else {
            throw MediaError(
                "the file's format cannot be labelled (PNG, JPEG, WebP, GIF, MP3, WAV, MP4/MOV/M4A, FLAC, PDF, DOCX/XLSX/PPTX, Markdown)"
            )
        }
        return format
    }

    private static func sealValue(_ record: AIGCRecord, role: Role) -> String {
        if case .producer = role { return record.reservedCode1 }
        return record.reservedCode2
    }

    /// `record` with the seal over `digest` in the role's reserved field.
    private func sealed(
        _ record: AIGCRecord,
        seal: LabelSeal,
        digest: [UInt8],
        role: Role
    ) throws(MediaError) -> AIGCRecord {
        var record = record
        do throws(AIGCRecordError) {
            let value = try seal.seal(record, essenceDigest: digest)
            if case .producer = role { record.reservedCode1 = value } else { record.reservedCode2 = value }
        } catch {
            throw MediaError(error.description)
        }
        return record
    }

    private func record(
        for carrier: any LabelCarrier,
        role: Role,
        input: MediaInput,
        sealed: Bool = true
    ) throws(MediaError) -> AIGCRecord {
        var record: AIGCRecord
        switch role {
        case .producer(let produceID):
            record = AIGCRecord(producer: self.producer, produceID: produceID)
        case .propagator(let label, let propagateID):
            let existing = carrier.records.lazy.compactMap { try? AIGCRecord.parse($0.text) }.first
            record = existing ?? AIGCRecord(label: label, producer: "", produceID: "")
            record.label = label.rawValue
            record.contentPropagator = self.producer
            record.propagateID = propagateID
            record.reservedCode2 = ""
        }
        if sealed, let seal = self.seal, seal.canSeal {
            let essence = carrier.essenceOfWrite
            record = try self.sealed(
                record,
                seal: seal,
                digest: try Self.digest(of: essence.ranges, in: input, suffix: essence.suffix),
                role: role
            )
        }
        let problems = record.problems.filter {
            !(role != .producer(produceID: record.produceID) && $0.contains("is empty"))
        }
        guard problems.isEmpty else {
            throw MediaError("the label would not conform: " + problems.joined(separator: "; "))
        }
        return record
    }

    /// The SHA-256 of the essence ranges followed by `suffix`.
    static func digest(
        of ranges: [Range<Int>],
        in input: MediaInput,
        suffix: [UInt8] = []
    ) throws(MediaError) -> [UInt8] {
        var hasher = SHA256()
        try input.forEachPiece(of: ranges) { hasher.update(data: $0) }
        hasher.update(data: suffix)
        return Array(hasher.finalize())
    }

    private static func readBack(
        _ written: MediaInput,
        format: MediaFormat,
        expecting record: AIGCRecord
    ) throws(MediaError) {
        let carrier = try format.carrier.init(input: written)
        guard carrier.records.count == 1, let found = try? AIGCRecord.parse(carrier.records[0].text), found == record
        else {
            throw MediaError(
                "the label did not read back from the written file (\(carrier.records.count) records); nothing was changed"
            )
        }
    }
}

/// Hashes a file's essence on a thread of its own, so that the hashing and the kernel's copy of the
/// file run side by side.
private final class EssenceHashing: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<[UInt8], MediaError> = .failure(MediaError("the essence was not hashed"))

    init(input: MediaInput, ranges: [Range<Int>], suffix: [UInt8]) {
        let thread = Thread { [self] in
            do throws(MediaError) {
                self.result = .success(try Labeller.digest(of: ranges, in: input, suffix: suffix))
            } catch {
                self.result = .failure(error)
            }
            self.done.signal()
        }
        thread.start()
    }

    /// Waits for the digest.
    func digest() throws(MediaError) -> [UInt8] {
        self.done.wait()
        return try self.result.get()
    }
}
