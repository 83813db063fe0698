package import Foundation

/// The `hegui` executable the tests run as a user would: beside the test bundle, or in the
/// package's `.build/debug` when Swift Testing runs from the package directory.
package var builtHeguiBinary: URL {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for directory in [besideTests, besideTests.deletingLastPathComponent()] {
        let candidate = directory.appendingPathComponent("hegui")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/hegui")
}
