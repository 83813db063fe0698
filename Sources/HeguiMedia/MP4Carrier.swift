import HeguiCore

/// MP4, MOV and M4A (PG-20257A §6.1.1, PG-202510A): the record under `moov/udta/meta` as the key
/// `AIGC` (namespace `mdta`) in `keys` with its UTF-8 value in `ilst`, the layout ffmpeg writes with
/// `-movflags use_metadata_tags`. Only `moov` is rewritten; the media data is copied. When `moov`
/// comes before the media data, its change of size moves the media, so every chunk offset
/// (`stco`, `co64`) is shifted by the same amount.
struct MP4Carrier: LabelCarrier {
    struct Box {
        var type: String
        var start: Int
        var header: Int
        var end: Int
        var payload: Range<Int> { self.start + self.header..<self.end }
    }

    private let input: MediaInput
    private var top: [Box] = []
    private var moovIndex = 0
    private var moov: [UInt8] = []
    /// The metadata items of `moov/udta/meta`: key name and the item's child boxes as written.
    private var items: [(key: String, children: [UInt8])] = []
    private(set) var records: [FoundRecord] = []

    init(input: MediaInput) throws(MediaError) {
        self.input = input
        var offset = 0
        while offset + 8 <= input.count {
            let head = try input.read(at: offset, upTo: 16)
            var size = head.uint32BE(at: 0)
            var header = 8
            if size == 1 {
                guard head.count == 16 else { throw .truncated("MP4") }
                size = head.uint64BE(at: 8)
                header = 16
            } else if size == 0 {
                size = input.count - offset
            }
            guard size >= header, offset + size <= input.count else { throw .truncated("MP4") }
            self.top.append(Box(type: head.fourCC(at: 4), start: offset, header: header, end: offset + size))
            offset += size
        }
        guard let index = self.top.firstIndex(where: { $0.type == "moov" }) else {
            throw MediaError("the MP4 file has no moov box")
        }
        guard self.top[index].end - self.top[index].start <= 256 << 20 else {
            throw MediaError("the MP4 moov box is larger than 256 MiB")
        }
        self.moovIndex = index
        self.moov = try input.read(self.top[index].start..<self.top[index].end)
        if let udta = Self.children(of: self.moov, in: self.top[index].header..<self.moov.count).first(where: {
            $0.type == "udta"
        }),
            let meta = Self.children(of: self.moov, in: udta.payload).first(where: { $0.type == "meta" })
        {
            try self.readMeta(meta)
        }
    }

    /// The boxes inside `range` of `bytes`.
    static func children(of bytes: [UInt8], in range: Range<Int>) -> [Box] {
        var boxes: [Box] = []
        var offset = range.lowerBound
        while offset + 8 <= range.upperBound {
            var size = bytes.uint32BE(at: offset)
            var header = 8
            if size == 1, offset + 16 <= range.upperBound {
                size = bytes.uint64BE(at: offset + 8)
                header = 16
            } else if size == 0 {
                size = range.upperBound - offset
            }
            guard size >= header, offset + size <= range.upperBound else { break }
            boxes.append(Box(type: bytes.fourCC(at: offset + 4), start: offset, header: header, end: offset + size))
            offset += size
        }
        return boxes
    }

    /// Where the children of a `meta` box start: it is a full box in ISO files, a plain one in QuickTime.
    private static func metaContent(_ meta: Box, in bytes: [UInt8]) -> Range<Int> {
        let payload = meta.payload
        if payload.count >= 12, bytes.fourCC(at: payload.lowerBound + 4) == "hdlr" { return payload }
        return min(payload.lowerBound + 4, payload.upperBound)..<payload.upperBound
    }

    private static let appleNames: [String: String] = [
        "©too": "encoder", "©nam": "title", "©ART": "artist", "©alb": "album", "©day": "date",
        "©cmt": "comment", "©gen": "genre", "©wrt": "composer", "desc": "description", "cprt": "copyright",
    ]

    private mutating func readMeta(_ meta: Box) throws(MediaError) {
        let content = Self.metaContent(meta, in: self.moov)
        let boxes = Self.children(of: self.moov, in: content)
        guard let handler = boxes.first(where: { $0.type == "hdlr" }), handler.payload.count >= 12 else { return }
        let kind = self.moov.fourCC(at: handler.payload.lowerBound + 8)
        var keys: [String] = []
        if kind == "mdta", let keysBox = boxes.first(where: { $0.type == "keys" }), keysBox.payload.count >= 8 {
            var offset = keysBox.payload.lowerBound + 8
            for _ in 0..<self.moov.uint32BE(at: keysBox.payload.lowerBound + 4) {
                guard offset + 8 <= keysBox.end else { throw .truncated("MP4") }
                let size = self.moov.uint32BE(at: offset)
                guard size >= 8, offset + size <= keysBox.end else { throw .truncated("MP4") }
                keys.append(String(decoding: self.moov[offset + 8..<offset + size], as: UTF8.self))
                offset += size
            }
        }
        guard let list = boxes.first(where: { $0.type == "ilst" }) else { return }
        for item in Self.children(of: self.moov, in: list.payload) {
            let children = Array(self.moov[item.payload])
            let key: String
            if kind == "mdta" {
                let index = self.moov.uint32BE(at: item.start + 4)
                guard index >= 1, index <= keys.count else { continue }
                key = keys[index - 1]
            } else {
                let code = String(self.moov[item.start + 4..<item.start + 8].map { Character(Unicode.Scalar($0)) })
                key = Self.appleNames[code] ?? code
            }
            if key == "AIGC" {
                for data in Self.children(of: children, in: 0..<children.count)
                where data.type == "data" && data.payload.count >= 8 {
                    let text = String(decoding: children[data.payload.lowerBound + 8..<data.end], as: UTF8.self)
                    self.records.append(FoundRecord(text: text, place: "MP4 moov/udta/meta AIGC"))
                }
            } else {
                self.items.append((key, children))
            }
        }
    }

    var essence: [Range<Int>] { self.top.filter { $0.type == "mdat" }.map(\.payload) }

    private static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendUInt32BE(payload.count + 8)
        return bytes + Array(type.utf8) + payload
    }

    /// The new `meta` box: an `mdta` handler, the keys, and the items with the record last.
    private func metaBox(_ record: AIGCRecord) -> [UInt8] {
        var handler: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0] + Array("mdta".utf8) + [UInt8](repeating: 0, count: 12)
        handler.append(0)
        var keys: [UInt8] = [0, 0, 0, 0]
        let all = self.items + [("AIGC", Self.box("data", [0, 0, 0, 1, 0, 0, 0, 0] + Array(record.json.utf8)))]
        keys.appendUInt32BE(all.count)
        var list: [UInt8] = []
        for (index, item) in all.enumerated() {
            keys.appendUInt32BE(8 + item.key.utf8.count)
            keys += Array("mdta".utf8) + Array(item.key.utf8)
            list.appendUInt32BE(8 + item.children.count)
            list.appendUInt32BE(index + 1)
            list += item.children
        }
        return Self.box(
            "meta",
            [0, 0, 0, 0] + Self.box("hdlr", handler) + Self.box("keys", keys) + Self.box("ilst", list)
        )
    }

    /// `moov` with the new `meta` in its `udta` (other `udta` and `meta` children kept).
    private func rebuiltMoov(_ record: AIGCRecord) -> [UInt8] {
        let moovBox = self.top[self.moovIndex]
        let children = Self.children(of: self.moov, in: moovBox.header..<self.moov.count)
        var udtaPayload: [UInt8] = []
        if let udta = children.first(where: { $0.type == "udta" }) {
            for child in Self.children(of: self.moov, in: udta.payload) where child.type != "meta" {
                udtaPayload += self.moov[child.start..<child.end]
            }
        }
        udtaPayload += self.metaBox(record)
        let udta = Self.box("udta", udtaPayload)
        var payload: [UInt8] = []
        var placed = false
        for child in children {
            if child.type == "udta" {
                if !placed { payload += udta }
                placed = true
            } else {
                payload += self.moov[child.start..<child.end]
            }
        }
        if !placed { payload += udta }
        return Self.box("moov", payload)
    }

    /// Adds `delta` to every chunk offset in `moov`.
    private static func shiftChunkOffsets(in moov: inout [UInt8], range: Range<Int>, by delta: Int) throws(MediaError) {
        for box in Self.children(of: moov, in: range) {
            switch box.type {
            case "trak", "mdia", "minf", "stbl":
                try Self.shiftChunkOffsets(in: &moov, range: box.payload, by: delta)
            case "stco", "co64":
                let wide = box.type == "co64"
                let count = moov.uint32BE(at: box.payload.lowerBound + 4)
                var offset = box.payload.lowerBound + 8
                guard offset + count * (wide ? 8 : 4) <= box.end else { throw .truncated("MP4") }
                for _ in 0..<count {
                    if wide {
                        let value = moov.uint64BE(at: offset) + delta
                        moov.setUInt32BE(value >> 32, at: offset)
                        moov.setUInt32BE(value & 0xFFFF_FFFF, at: offset + 4)
                        offset += 8
                    } else {
                        let value = moov.uint32BE(at: offset) + delta
                        guard value <= Int(UInt32.max) else {
                            throw MediaError("the MP4 chunk offsets would overflow 32 bits (stco)")
                        }
                        moov.setUInt32BE(value, at: offset)
                        offset += 4
                    }
                }
            default:
                continue
            }
        }
    }

    func write(_ record: AIGCRecord, to output: MediaOutput) throws(MediaError) {
        var moov = self.rebuiltMoov(record)
        let old = self.top[self.moovIndex]
        let delta = moov.count - (old.end - old.start)
        let mediaAfter = self.top[(self.moovIndex + 1)...].contains { $0.type == "mdat" || $0.type == "moof" }
        if delta != 0, mediaAfter {
            if self.top.contains(where: { $0.type == "moof" }) {
                throw MediaError("fragmented MP4 files with moov before the fragments cannot be labelled yet")
            }
            try Self.shiftChunkOffsets(in: &moov, range: 8..<moov.count, by: delta)
        }
        for (index, box) in self.top.enumerated() {
            if index == self.moovIndex {
                try output.write(moov)
            } else {
                try output.copy(box.start..<box.end, of: self.input)
            }
        }
    }
}
