import Foundation
import HeguiCore
import HeguiGateway
import HeguiStore
import Testing

@Suite struct DevelopmentTenantTests {
    @Test func theKeyIsCreatedOncePrivatelyAndReused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hegui-data-\(UUID().uuidString)/nested"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try DataDirectory.prepare(at: path)
        let first = try DevelopmentTenant.ensure(in: directory)
        let key = try #require(first.newKey)
        #expect(key.hasPrefix("hg-dev-") && key.count == 55)
        #expect(first.tenant.keySHA256 == APIKeyDigest.hex(of: key))

        let keyFile = directory.filePath(DevelopmentTenant.keyFileName)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let directoryAttributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((directoryAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)

        let second = try DevelopmentTenant.ensure(in: directory)
        #expect(second.newKey == nil)
        #expect(second.tenant == first.tenant)
    }

    @Test func aDataDirectoryThatIsAFileIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-file-\(UUID().uuidString)").path
        try "x".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: DataDirectoryError.self) { try DataDirectory.prepare(at: path) }
    }
}
