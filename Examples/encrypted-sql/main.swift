// encrypted-sql: runs SQL statements against an encrypted SQLite database and prints
// result rows tab-separated, one line per row.
//
//   MAILBOX_PASSPHRASE=... encrypted-sql [--create] [--page-size N] [--kdf-iter N] [--legacy]
//       [--rekey-from-env VAR] <file> "<SQL>"...
//
// The passphrase comes from the environment only (argv is visible to other users).
// With --rekey-from-env VAR the database is re-encrypted under the passphrase in $VAR
// before the statements run. Output is written unbuffered, so a reader sees every row
// as soon as its statement has finished.
import EncryptedSQLite
import Foundation

func fail(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("encrypted-sql: \(message)\n".utf8))
    exit(status)
}

let usage = """
    usage: MAILBOX_PASSPHRASE=... encrypted-sql [--create] [--page-size N] [--kdf-iter N] [--legacy]
                                                [--rekey-from-env VAR] <file> "<SQL>"...
    """

var create = false
var pageSize: Int?
var kdfIterations: Int?
var legacy = false
var rekeyVariable: String?
var positional: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--create": create = true
    case "--legacy": legacy = true
    case "--page-size":
        guard let value = arguments.popFirst().flatMap(Int.init) else { fail("--page-size needs a number\n\(usage)", status: 2) }
        pageSize = value
    case "--kdf-iter":
        guard let value = arguments.popFirst().flatMap(Int.init) else { fail("--kdf-iter needs a number\n\(usage)", status: 2) }
        kdfIterations = value
    case "--rekey-from-env":
        guard let value = arguments.popFirst() else { fail("--rekey-from-env needs a variable name\n\(usage)", status: 2) }
        rekeyVariable = value
    case "--help", "-h":
        print(usage)
        exit(0)
    default:
        positional.append(argument)
    }
}
guard let path = positional.first else { fail(usage, status: 2) }
let statements = positional.dropFirst()
let environment = ProcessInfo.processInfo.environment
guard let passphrase = environment["MAILBOX_PASSPHRASE"], !passphrase.isEmpty else {
    fail("set MAILBOX_PASSPHRASE to the database's passphrase", status: 2)
}

do {
    var configuration = EncryptedDatabase.Configuration(key: try .passphrase(passphrase))
    configuration.create = create
    configuration.legacy = legacy
    if let pageSize { configuration.pageSize = pageSize }
    if let kdfIterations { configuration.kdfIterations = kdfIterations }
    let database = try EncryptedDatabase(path: path, configuration: configuration)
    if let rekeyVariable {
        guard let newPassphrase = environment[rekeyVariable], !newPassphrase.isEmpty else {
            fail("the variable \(rekeyVariable) holds no passphrase", status: 2)
        }
        try await database.rekey(to: .passphrase(newPassphrase))
    }
    for statement in statements {
        for row in try await database.query(statement) {
            let line = row.values.map(\.description).joined(separator: "\t") + "\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
    await database.close()
} catch {
    fail(error.message)
}
