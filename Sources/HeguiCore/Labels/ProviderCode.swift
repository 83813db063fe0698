/// The provider code written as `ContentProducer` (LBL-CODE, TC260-PG-20252A): 27 digits and
/// upper-case letters — format code "00", a 20-character subject id, and a 5-character service
/// extension whose first character is "1" for a generation service and "2" for a propagation
/// service. The subject part comes from the compliance team and is never derived here.
package struct ProviderCode: Sendable, Hashable, CustomStringConvertible {
    package let description: String

    /// The code Hegui writes until the operator sets its own (`labels.producer`): the format code, a
    /// blank subject and a generation service. It lets the demo and a first trial run; a label that
    /// carries it names no provider, so the gateway warns at start and `hegui label check` reports it.
    package static let placeholder = "00" + String(repeating: "0", count: 20) + "10000"

    /// The kind of service the extension code names (position 23).
    package enum Service: Sendable, Hashable {
        case generation
        case propagation
        case other(Character)
    }

    /// Accepts a code of the published shape.
    /// - Throws: ``AIGCRecordError`` naming what is wrong.
    package init(_ text: String) throws(AIGCRecordError) {
        let characters = Array(text)
        guard characters.count == 27 else {
            throw AIGCRecordError("a provider code has 27 characters, not \(characters.count)")
        }
        guard characters.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }) else {
            throw AIGCRecordError("a provider code holds only digits and upper-case letters")
        }
        guard text.hasPrefix("00") else { throw AIGCRecordError("a provider code starts with the format code 00") }
        self.description = text
    }

    /// The service kind of position 23.
    package var service: Service {
        let character = Array(self.description)[22]
        switch character {
        case "1": return .generation
        case "2": return .propagation
        default: return .other(character)
        }
    }
}
