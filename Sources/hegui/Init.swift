import ArgumentParser
import Foundation
import HeguiGateway

/// `hegui init`: writes a commented starter configuration.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a commented starter configuration file (hegui.yaml)."
    )

    @Option(name: .shortAndLong, help: "Where to write it.")
    var output = "hegui.yaml"

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        if !self.force, FileManager.default.fileExists(atPath: self.output) {
            throw ValidationError("\(self.output) exists; pass --force to overwrite it")
        }
        guard FileManager.default.createFile(atPath: self.output, contents: Data(StarterConfiguration.text.utf8)) else {
            throw ValidationError("cannot write \(self.output)")
        }
        print("Wrote \(self.output). Start the gateway with: hegui serve --config \(self.output)")
    }
}
