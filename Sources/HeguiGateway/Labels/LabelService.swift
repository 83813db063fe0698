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
    /// The spoken audio label, synthesised once at start (`labels.audio_cue_voice`).
    package let voice: VoicePrompt?

    package init(configuration: GatewayConfiguration.Labels, seal: LabelSeal?, voice: VoicePrompt? = nil) {
        self.producer = configuration.producer
        self.seal = seal
        self.chat = configuration.chat
        self.voice = voice
    }

    /// Loads the seal key named by the configuration (or the data directory's, made on first use).
    package static func load(
        configuration: GatewayConfiguration.Labels,
        dataDirectory: DataDirectory?
    ) throws -> LabelService {
        guard configuration.seal != "none" else {
            return LabelService(configuration: configuration, seal: nil, voice: try Self.voice(configuration))
        }
        guard configuration.keyFile != nil || dataDirectory != nil else {
            return LabelService(configuration: configuration, seal: nil, voice: try Self.voice(configuration))
        }
        let key: [UInt8]
        if let dataDirectory {
            key = try KeyFile.load(file: configuration.keyFile, named: LabelSigningKey.fileName, in: dataDirectory)
        } else {
            key = try KeyFile.load(path: configuration.keyFile ?? "")
        }
        let seal = try LabelSeal(method: configuration.seal, key: key)
        return LabelService(configuration: configuration, seal: seal, voice: try Self.voice(configuration))
    }

    /// The spoken label, when configured (espeak-ng must then be installed).
    static func voice(_ configuration: GatewayConfiguration.Labels) throws -> VoicePrompt? {
        guard let text = configuration.audioCueVoice else { return nil }
        do {
            return try VoicePrompt(text: text)
        } catch {
            throw ConfigurationError(
                source: "labels.audio_cue_voice",
                key: "labels.audio_cue_voice",
                message: error.description
            )
        }
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

/// The key that seals file labels: `label-signing-key` in the data directory (hex, 0600), made on
/// first use, unless `labels.key_file` names one.
package enum LabelSigningKey {
    package static let fileName = "label-signing-key"
}
