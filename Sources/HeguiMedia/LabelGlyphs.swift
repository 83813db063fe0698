import Foundation

/// The glyphs the visible image label is drawn with (GB-5.2): printable ASCII and the Chinese
/// characters of the usual label texts, rendered once by Scripts/generate-glyphs.py so that no font
/// is needed where Hegui runs.
enum LabelGlyphs {
    struct Glyph {
        var advance: Int
        var left: Int
        /// From the line's top (ascent line) to the bitmap's top.
        var top: Int
        var width: Int
        var height: Int
        var offset: Int
    }

    static let glyphs: [UInt32: Glyph] = Dictionary(
        uniqueKeysWithValues: Self.table.map {
            ($0.0, Glyph(advance: $0.1, left: $0.2, top: $0.3, width: $0.4, height: $0.5, offset: $0.6))
        }
    )

    /// The 4-bit coverage of every glyph, two pixels a byte.
    static let packed: [UInt8] = Array(
        Data(base64Encoded: Self.packedBase64, options: .ignoreUnknownCharacters) ?? Data()
    )

    /// The characters of `text` that have no glyph.
    static func missing(in text: String) -> [Character] {
        text.filter { character in character.unicodeScalars.contains { Self.glyphs[$0.value] == nil } }.map { $0 }
    }

    /// The coverage (0–15) of `glyph` at bitmap pixel (x, y).
    @inline(__always)
    static func coverage(_ glyph: Glyph, _ x: Int, _ y: Int) -> Int {
        guard x >= 0, y >= 0, x < glyph.width, y < glyph.height else { return 0 }
        let rowBytes = (glyph.width + 1) / 2
        let byte = Int(Self.packed[glyph.offset + y * rowBytes + x / 2])
        return x & 1 == 0 ? byte >> 4 : byte & 0x0F
    }
}
