import HeguiCore
import HeguiGateway
import Logging
import NIOConcurrencyHelpers
import Testing

/// Log lines as JSON for collectors, and as text in swift-log's layout.
@Suite struct LineLogHandlerTests {
    final class Lines: Sendable {
        let captured = NIOLockedValueBox<[String]>([])
        var all: [String] { self.captured.withLockedValue { $0 } }
    }

    static func logger(_ lines: Lines, level: Logger.Level = .info) -> Logger {
        Logger(label: "hegui.test") { label in
            LineLogHandler(label: label, format: .json, level: level) { line in
                lines.captured.withLockedValue { $0.append(line) }
            }
        }
    }

    @Test func writesOneValidJSONObjectPerLine() throws {
        let lines = Lines()
        var logger = Self.logger(lines)
        logger[metadataKey: "gateway.request.id"] = "req_1"
        logger.info(
            "request \"completed\"\n下一行",
            metadata: ["http.status": .stringConvertible(200), "nested": ["a": "x", "b": ["1", "2"]]]
        )
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        let object = try #require(try JSONParser.parse(String(line.dropLast())).objectValue)
        #expect(object["level"] == "info")
        #expect(object["label"] == "hegui.test")
        #expect(object["message"] == "request \"completed\"\n下一行")
        let metadata = try #require(object["metadata"]?.objectValue)
        #expect(metadata["gateway.request.id"] == "req_1")
        #expect(metadata["http.status"] == "200")
        #expect(metadata["nested"] == ["a": "x", "b": ["1", "2"]])
        let time = try #require(object["time"]?.stringValue)
        #expect(time.count == 24 && time.hasSuffix("Z") && time.dropFirst(10).first == "T")
    }

    @Test func respectsTheLevel() {
        let lines = Lines()
        let logger = Self.logger(lines, level: .notice)
        logger.info("quiet")
        logger.notice("loud")
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains("loud") == true)
    }

    @Test func eventMetadataWinsOverLoggerMetadata() throws {
        let lines = Lines()
        var logger = Self.logger(lines)
        logger[metadataKey: "k"] = "logger"
        logger.info("m", metadata: ["k": "event"])
        let object = try JSONParser.parse(String(try #require(lines.all.first).dropLast()))
        #expect(object.objectValue?["metadata"]?.objectValue?["k"] == "event")
    }
}
