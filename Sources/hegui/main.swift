import ArgumentParser
import NIOCore
import NIOPosix

// Run Swift concurrency on NIO's event-loop threads, so a request's handler and its socket I/O share
// a thread instead of hopping between two pools (measured in Benchmarks/README.md). This must happen
// on the main thread before any task starts; if it cannot be installed, the default pool is used.
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
await runHegui()

/// Parses the command line and runs the command, as `AsyncParsableCommand.main()` would.
@concurrent func runHegui() async {
    do {
        var command = try Hegui.parseAsRoot()
        if var asynchronous = command as? any AsyncParsableCommand {
            try await asynchronous.run()
        } else {
            try command.run()
        }
    } catch {
        Hegui.exit(withError: error)
    }
}
