import Foundation
import HeguiCore
import HeguiMedia

/// The committed sample files (Fixtures/make-fixtures.sh made them with ffmpeg, ImageMagick,
/// exiftool and Python) and a scratch directory for each test.
enum MediaFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures"
    ).path

    static let producer = "001191110102MAD55U9H0F10002"
    static let seal = try! LabelSeal(method: "ed25519", key: [UInt8](repeating: 42, count: 32))
    static let labeller = Labeller(producer: Self.producer, seal: Self.seal)

    /// Every sample with the format it must be recognised as.
    static let samples: [(name: String, format: MediaFormat)] = [
        ("sample.png", .png), ("with-xmp.png", .png), ("sample.jpg", .jpeg), ("with-exif-xmp.jpg", .jpeg),
        ("with-exif-record.jpg", .jpeg), ("progressive-420.jpg", .jpeg), ("sample-lossy.webp", .webp),
        ("sample-lossless.webp", .webp),
        ("sample.gif", .gif), ("sample.mp3", .mp3), ("with-record.mp3", .mp3), ("sample.wav", .wav),
        ("sample.flac", .flac), ("with-record.flac", .flac), ("sample.mp4", .mp4), ("sample-faststart.mp4", .mp4),
        ("with-record.mp4", .mp4), ("sample.mov", .mp4), ("sample.m4a", .mp4), ("sample.pdf", .pdf),
        ("sample-xref-stream.pdf", .pdf), ("sample.docx", .ooxml), ("with-custom.xlsx", .ooxml),
        ("sample.pptx", .ooxml), ("sample.md", .markdown),
        ("with-front-matter.md", .markdown),
    ]

    static var sampleNames: [String] { Self.samples.map(\.name) }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/\(name)")))
    }

    /// A fresh directory, removed after `body`.
    static func withScratch<T>(_ body: (String) throws -> T) throws -> T {
        let path = NSTemporaryDirectory() + "hegui-media-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    /// Copies a sample into `directory`.
    static func copy(_ name: String, to directory: String) throws -> String {
        let path = "\(directory)/\(name)"
        try Data(try Self.bytes(name)).write(to: URL(fileURLWithPath: path))
        return path
    }
}
