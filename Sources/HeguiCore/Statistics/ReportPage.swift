/// Pieces of the pages and documents Hegui writes for people (reports, the dashboard): a whole
/// page with inline style and no script, and numbers written without locale.
package enum ReportPage {
    /// A whole page around `body`: inline style only, and a policy that forbids script.
    package static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(MarkdownPage.escape(title)) · Hegui 合规</title>
        <style>
        body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
        h1{margin-bottom:.2em}h2{margin-top:1.6em;font-size:1.15em}
        section{margin:1.2em 0}svg{max-width:100%;height:auto}
        .cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #ddd;border-radius:6px;padding:.6em .9em;min-width:9em}
        .card .value{font-size:1.5em;font-weight:bold}
        table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left}
        td{text-align:right}tr.overdue td,.warn{color:#b03a2e;font-weight:bold}
        @media print{section{break-inside:avoid}}
        </style></head>
        <body>
        \(body)
        </body></html>

        """
    }

    /// `yyyy-MM-dd HH:mm` Beijing time.
    package static func timestamp(_ time: Int64) -> String {
        let zone = LocalTime.beijing
        let date = zone.date(of: time)
        let minutes = Int(zone.millisecondOfDay(time) / 60_000)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(date) \(two(minutes / 60)):\(two(minutes % 60)) (UTC+8)"
    }

    package static func percent(_ share: Double) -> String {
        Self.decimal(share * 100, places: 1) + "%"
    }

    /// A fixed-point rendering without Foundation's locale-dependent formatting.
    package static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale)
        var fraction = String(abs(scaled % Int(scale)))
        while fraction.count < places { fraction = "0" + fraction }
        let sign = scaled < 0 && whole == 0 ? "-" : ""
        return places == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}
