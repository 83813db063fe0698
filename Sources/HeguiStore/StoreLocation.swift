/// Where the embedded store lives in the data directory.
package enum StoreLocation {
    /// The SQLite file's name.
    package static let sqliteFileName = "hegui.sqlite"
}
