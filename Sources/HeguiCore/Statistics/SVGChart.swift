/// Charts drawn as SVG on the server, for pages that load nothing from elsewhere and run no script
/// (the statistics dashboard, the reports). Every label is escaped; sizes are in CSS pixels.
package enum SVGChart {
    /// One coloured series of a chart.
    package struct Series: Sendable {
        package var name: String
        package var color: String
        package var values: [Int]

        package init(name: String, color: String, values: [Int]) {
            self.name = name
            self.color = color
            self.values = values
        }
    }

    /// Stacked columns over categories (days), with a legend, y-axis ticks and, under the columns,
    /// every `labelEvery`-th category name.
    package static func columns(
        title: String,
        categories: [String],
        series: [Series],
        width: Int = 720,
        height: Int = 220
    ) -> String {
        let left = 48
        let top = 28
        let bottom = 36
        let plotWidth = width - left - 12
        let plotHeight = height - top - bottom
        let totals = categories.indices.map { index in series.reduce(0) { $0 + ($1.values[safe: index] ?? 0) } }
        let scale = niceMaximum(totals.max() ?? 0)
        var svg = open(title: title, width: width, height: height)
        svg += axis(left: left, top: top, width: plotWidth, height: plotHeight, maximum: scale)
        let slot = Double(plotWidth) / Double(max(categories.count, 1))
        let barWidth = max(1.0, slot * 0.7)
        for (index, category) in categories.enumerated() {
            var y = Double(top + plotHeight)
            let x = Double(left) + slot * Double(index) + (slot - barWidth) / 2
            var tip = category
            for item in series {
                let value = item.values[safe: index] ?? 0
                tip += " · \(item.name) \(value)"
                guard value > 0 else { continue }
                let barHeight = Double(plotHeight) * Double(value) / Double(scale)
                y -= barHeight
                svg += "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(barWidth))\" "
                svg += "height=\"\(format(barHeight))\" fill=\"\(escape(item.color))\"/>"
            }
            // A transparent column over the whole slot carries the figures as a tooltip.
            svg += "<rect x=\"\(format(Double(left) + slot * Double(index)))\" y=\"\(top)\" "
            svg += "width=\"\(format(slot))\" height=\"\(plotHeight)\" fill=\"transparent\">"
            svg += "<title>\(escape(tip))</title></rect>"
        }
        let labelEvery = max(1, Int((Double(categories.count) / 8).rounded(.up)))
        for (index, category) in categories.enumerated() where index % labelEvery == 0 {
            let x = Double(left) + slot * (Double(index) + 0.5)
            svg += "<text x=\"\(format(x))\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\" "
            svg += "font-size=\"11\" fill=\"#555\">\(escape(category))</text>"
        }
        svg += legend(series.map { ($0.name, $0.color) }, x: left, y: height - 8)
        return svg + "</svg>"
    }

    /// Horizontal bars, one per item, longest first as given, with the value after each bar.
    package static func bars(
        title: String,
        items: [(label: String, value: Int, note: String)],
        color: String = "#c0392b",
        width: Int = 720
    ) -> String {
        let rowHeight = 22
        let top = 28
        let labelWidth = 300
        let height = top + max(items.count, 1) * rowHeight + 8
        let plotWidth = width - labelWidth - 60
        let maximum = max(items.map(\.value).max() ?? 0, 1)
        var svg = open(title: title, width: width, height: height)
        if items.isEmpty {
            svg += "<text x=\"\(labelWidth)\" y=\"\(top + 15)\" font-size=\"12\" fill=\"#777\">"
            svg += "无数据 No data</text>"
        }
        for (index, item) in items.enumerated() {
            let y = top + index * rowHeight
            let length = Double(plotWidth) * Double(item.value) / Double(maximum)
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\" font-size=\"12\" fill=\"#222\">"
            svg += "\(escape(item.label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(format(max(length, item.value > 0 ? 1 : 0)))\" "
            svg += "height=\"\(rowHeight - 8)\" fill=\"\(escape(color))\">"
            svg += "<title>\(escape(item.note.isEmpty ? item.label : item.note)): \(item.value)</title></rect>"
            svg +=
                "<text x=\"\(format(Double(labelWidth) + length + 6))\" y=\"\(y + 15)\" font-size=\"12\" fill=\"#222\">"
            svg += "\(item.value)</text>"
        }
        return svg + "</svg>"
    }

    /// The top of an axis with four equal ticks that read well: four times 1, 2 or 5 times a
    /// power of ten, at or above `value`.
    package static func niceMaximum(_ value: Int) -> Int {
        guard value > 4 else { return 4 }
        var power = 1
        while power * 10 * 4 <= value { power *= 10 }
        for step in [1, 2, 5, 10] where step * power * 4 >= value { return step * power * 4 }
        return 40 * power
    }

    private static func open(title: String, width: Int, height: Int) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\"><title>\(escape(title))</title>"
            + "<text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\" fill=\"#222\">\(escape(title))</text>"
    }

    private static func axis(left: Int, top: Int, width: Int, height: Int, maximum: Int) -> String {
        var svg = ""
        for tick in 0...4 {
            let value = maximum * tick / 4
            let y = Double(top + height) - Double(height) * Double(tick) / 4
            svg += "<line x1=\"\(left)\" y1=\"\(format(y))\" x2=\"\(left + width)\" y2=\"\(format(y))\" "
            svg += "stroke=\"#e3e3e3\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(format(y + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">"
            svg += "\(value)</text>"
        }
        return svg
    }

    private static func legend(_ entries: [(name: String, color: String)], x: Int, y: Int) -> String {
        var svg = ""
        var offset = x
        for entry in entries {
            svg += "<rect x=\"\(offset)\" y=\"\(y - 10)\" width=\"10\" height=\"10\" fill=\"\(escape(entry.color))\"/>"
            svg += "<text x=\"\(offset + 14)\" y=\"\(y)\" font-size=\"11\" fill=\"#333\">\(escape(entry.name))</text>"
            offset += 24 + entry.name.count * 7 + entry.name.utf8.count.quotientAndRemainder(dividingBy: 3).quotient
        }
        return svg
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static func escape(_ text: String) -> String {
        MarkdownPage.escape(text)
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? {
        self.indices.contains(index) ? self[index] : nil
    }
}
