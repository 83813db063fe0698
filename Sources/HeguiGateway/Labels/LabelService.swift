import Foundation
package import HeguiCore
package import HeguiMedia
package import HeguiStore

/// Labels what the gateway returns (IM-12, LBL-4, LBL-5, GB 45438-2025): the record and explicit
/// label of chat answers, and the implicit label inside generated files.
package struct LabelService: Sendable {
    /// `ContentProducer` of every record.
    package let producer: String
    /// Seals file records; `nil` when `labels.seal` is `none`.
    package let seal: LabelSeal?
    /// The chat label policy unless a tenant has its own.
    package let chat: ChatLabelPolicy

    package init(configuration: GatewayConfiguration.Labels, seal: LabelSeal?) {
        self.producer = configuration.producer
        self.seal = seal
        self.chat = configuration.chat
    }

    /// Loads the seal key named by the configuration (or the data directory's, made on first use).
    package static func load(
        configuration: GatewayConfiguration.Labels,
        dataDirectory: DataDirectory?
    ) throws -> LabelService {
        guard configuration.seal != "none" else { return LabelService(configuration: configuration, seal: nil) }
        let key: [UInt8]
        if let file = configuration.keyFile {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            guard let bytes = HexEncoding.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                bytes.count == 32
            else {
                throw ConfigurationError(
                    source: file,
                    key: "labels.key_file",
                    message: "must hold a 32-byte key in hex"
                )
            }
            key = bytes
        } else if let dataDirectory {
            key = try LabelSigningKey.loadOrCreate(in: dataDirectory)
        } else {
            return LabelService(configuration: configuration, seal: nil)
        }
        let seal = try LabelSeal(method: configuration.seal, key: key)
        return LabelService(configuration: configuration, seal: seal)
    }

    /// The chat policy for a tenant.
    package func chatPolicy(for tenant: GatewayConfiguration.Tenant) -> ChatLabelPolicy {
        tenant.chatLabels ?? self.chat
    }

    /// The record of one chat answer: its production id is the gateway's request id, which the
    /// audit log records, so a labelled answer leads back to its request.
    package func chatRecord(requestID: String) -> AIGCRecord {
        AIGCRecord(producer: self.producer, produceID: Self.produceID(requestID))
    }

    /// A production id from `text`, keeping only the characters App. E j allows.
    package static func produceID(_ text: String) -> String {
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.filter { AIGCRecord.isAllowed(String($0)) }))
        return kept.isEmpty ? UUID().uuidString : kept
    }

    /// The labeller for generated files.
    package var labeller: Labeller { Labeller(producer: self.producer, seal: self.seal) }
}

/// The key that seals file labels: `label-signing-key` in the data directory (hex, 0600).
package enum LabelSigningKey {
    package static let fileName = "label-signing-key"

    /// The key in the data directory, made when absent (an Ed25519 private key; also fit for HMAC).
    package static func loadOrCreate(in directory: DataDirectory) throws -> [UInt8] {
        if let text = try directory.readText(Self.fileName) {
            guard let key = HexEncoding.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32
            else {
                throw StoreError(.invalid, "\(directory.filePath(Self.fileName)) does not hold a 32-byte hex key")
            }
            return key
        }
        let pair = SignedTreeHead.makeKeyPair()
        try directory.createSecretFile(Self.fileName, contents: HexEncoding.encode(pair.privateKey) + "\n")
        return pair.privateKey
    }
}
