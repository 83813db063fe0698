import HeguiCore

/// The visible label drawn on an image (LBL-4.3, GB-5.2): a text with both elements ("AI生成") on
/// an edge or corner, in a box that keeps it legible on any picture, its text at least 5 % of the
/// image's shortest side high. Drawn by the project from its own glyphs (no system font).
package struct VisibleLabel: Sendable, Hashable {
    package enum Position: String, Sendable, Hashable, CaseIterable {
        case topLeft = "top-left"
        case topRight = "top-right"
        case bottomLeft = "bottom-left"
        case bottomRight = "bottom-right"

        var isTop: Bool { self == .topLeft || self == .topRight }
        var isLeft: Bool { self == .topLeft || self == .bottomLeft }
    }

    package enum Style: String, Sendable, Hashable, CaseIterable {
        /// White text on a translucent dark box.
        case light
        /// Black text on a translucent white box.
        case dark
    }

    /// The smallest text height GB 45438 5.2 allows, as a share of the shortest side.
    package static let minimumHeightFraction = 0.05

    package var text: String
    package var position: Position
    package var style: Style
    /// The text's height as a share of the shortest side (at least 0.05).
    package var heightFraction: Double

    /// - Throws: ``MediaError`` for a text without both elements of GB-5.1, a character without a
    ///   glyph, or a height below 5 %.
    package init(
        text: String = "AI生成",
        position: Position = .bottomRight,
        style: Style = .light,
        heightFraction: Double = 0.05
    ) throws(MediaError) {
        guard ChatLabelPolicy.isConforming(text) else {
            throw MediaError("the visible label must name AI (人工智能 or AI) and generation (生成 or 合成)")
        }
        let missing = LabelGlyphs.missing(in: text)
        guard missing.isEmpty else {
            throw MediaError("the visible label uses characters Hegui has no glyph for: \(String(missing))")
        }
        guard heightFraction >= Self.minimumHeightFraction, heightFraction <= 0.5 else {
            throw MediaError("the visible label's height must be between 5% and 50% of the shortest side")
        }
        self.text = text
        self.position = position
        self.style = style
        self.heightFraction = heightFraction
    }

    /// Where the label goes on a `width` × `height` image.
    struct Layout {
        var raster: LabelRaster
        var x: Int
        var y: Int
        var width: Int
        var height: Int
        var padding: Int
        /// The text's ink height in pixels (≥ 5 % of the shortest side).
        var textHeight: Int
    }

    /// Opacity of the box behind the text.
    static let boxAlpha = 0.6

    /// The colour of an opaque pixel at (`x`, `y`) of the image once the label is drawn over it
    /// (each channel 0…1), or `nil` outside the label's box.
    func blend(_ layout: Layout, x: Int, y: Int, colour: (Double, Double, Double)) -> (Double, Double, Double)? {
        guard x >= layout.x, x < layout.x + layout.width, y >= layout.y, y < layout.y + layout.height else {
            return nil
        }
        let box = self.style == .light ? 0.0 : 1.0
        let ink = self.style == .light ? 1.0 : 0.0
        let textX = x - layout.x - layout.padding
        let textY = y - layout.y - layout.padding
        var text = 0.0
        if textX >= 0, textY >= 0, textX < layout.raster.width, textY < layout.raster.height {
            text = Double(layout.raster.coverage[textY * layout.raster.width + textX]) / 255
        }
        func mix(_ value: Double) -> Double {
            let under = box * Self.boxAlpha + value * (1 - Self.boxAlpha)
            return ink * text + under * (1 - text)
        }
        return (mix(colour.0), mix(colour.1), mix(colour.2))
    }

    func layout(width: Int, height: Int) throws(MediaError) -> Layout {
        let shortest = min(width, height)
        // Rounded up with a pixel to spare, so that the text's anti-aliased edge rows never bring
        // its measured height below the fraction.
        let textHeight = Int((Double(shortest) * self.heightFraction).rounded(.up)) + 1
        let raster = LabelRaster(text: self.text, inkHeight: max(textHeight, 6))
        let padding = max(2, Int((Double(textHeight) * 0.3).rounded()))
        let margin = max(1, Int((Double(shortest) * 0.02).rounded()))
        let boxWidth = raster.width + 2 * padding
        let boxHeight = raster.height + 2 * padding
        guard boxWidth + 2 * margin <= width, boxHeight + 2 * margin <= height else {
            throw MediaError(
                "the image (\(width)×\(height)) is too small for the label \"\(self.text)\" at \(Int(self.heightFraction * 100))% height"
            )
        }
        let x = self.position.isLeft ? margin : width - margin - boxWidth
        let y = self.position.isTop ? margin : height - margin - boxHeight
        return Layout(
            raster: raster,
            x: x,
            y: y,
            width: boxWidth,
            height: boxHeight,
            padding: padding,
            textHeight: raster.height
        )
    }
}

/// The label text rendered as 8-bit coverage at a given ink height, by scaling the stored glyphs.
struct LabelRaster {
    let width: Int
    let height: Int
    /// Text coverage, 0–255, row by row.
    private(set) var coverage: [UInt8]

    init(text: String, inkHeight: Int) {
        let glyphs = text.unicodeScalars.compactMap { LabelGlyphs.glyphs[$0.value] }
        let inked = glyphs.filter { $0.height > 0 }
        let inkTop = inked.map(\.top).min() ?? 0
        let inkBottom = inked.map { $0.top + $0.height }.max() ?? 1
        let scale = Double(inkHeight) / Double(max(1, inkBottom - inkTop))
        let advance = glyphs.reduce(0) { $0 + $1.advance }
        self.width = max(1, Int((Double(advance) * scale).rounded(.up)))
        self.height = inkHeight
        self.coverage = [UInt8](repeating: 0, count: self.width * self.height)
        var pen = 0
        for glyph in glyphs {
            defer { pen += glyph.advance }
            guard glyph.width > 0, glyph.height > 0 else { continue }
            // The glyph's box in output pixels.
            let left = Int((Double(pen + glyph.left) * scale).rounded(.down))
            let right = min(self.width, Int((Double(pen + glyph.left + glyph.width) * scale).rounded(.up)))
            let top = max(0, Int((Double(glyph.top - inkTop) * scale).rounded(.down)))
            let bottom = min(self.height, Int((Double(glyph.top - inkTop + glyph.height) * scale).rounded(.up)))
            guard left < right, top < bottom else { continue }
            for y in top..<bottom {
                // Bilinear sampling of the 4-bit coverage at the pixel's centre.
                let sourceY = (Double(y) + 0.5) / scale + Double(inkTop - glyph.top) - 0.5
                let y0 = Int(sourceY.rounded(.down))
                let fy = sourceY - Double(y0)
                for x in left..<right {
                    let sourceX = (Double(x) + 0.5) / scale - Double(pen + glyph.left) - 0.5
                    let x0 = Int(sourceX.rounded(.down))
                    let fx = sourceX - Double(x0)
                    let c00 = Double(LabelGlyphs.coverage(glyph, x0, y0))
                    let c10 = Double(LabelGlyphs.coverage(glyph, x0 + 1, y0))
                    let c01 = Double(LabelGlyphs.coverage(glyph, x0, y0 + 1))
                    let c11 = Double(LabelGlyphs.coverage(glyph, x0 + 1, y0 + 1))
                    let value = (c00 * (1 - fx) + c10 * fx) * (1 - fy) + (c01 * (1 - fx) + c11 * fx) * fy
                    let index = y * self.width + x
                    self.coverage[index] = max(self.coverage[index], UInt8(min(255, (value * 17).rounded())))
                }
            }
        }
    }
}
