// nonce-fork: a process forks while it holds an open encrypted database whose cipher has
// drawn its nonce reserve; the child writes rows and copies the file, then the parent
// writes rows. NonceForkTests compares the page nonces of the two files. A small process
// of its own: nothing else runs when it forks (a fork inside the multithreaded test
// process could copy a lock some other thread holds).
//
//   nonce-fork <database> <child's copy>
//
// Exits 0 when both wrote, 1 on a failure (the message on standard error), 2 on bad
// arguments. The passphrase is "nonce fork", 1000 iterations, rollback journal.
import CommunityMailSQL
import EncryptedSQLite
import Foundation

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: nonce-fork <database> <child's copy>\n".utf8))
    exit(2)
}
let (path, copyPath) = (arguments[1], arguments[2])

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("nonce-fork: \(message)\n".utf8))
    exit(1)
}

/// Rows big enough that every transaction writes several new pages.
func writeRows(_ connection: SQLiteConnection, tag: String) {
    for _ in 0..<4 {
        do { try connection.execute("INSERT INTO t VALUES ('\(tag)', randomblob(6000))") } catch { fail("insert failed: \(error)") }
    }
}

var configuration = EncryptedDatabase.Configuration(key: try .passphrase("nonce fork"))
configuration.kdfIterations = 1000
configuration.writeAheadLog = false
let connection: SQLiteConnection
do { connection = try EncryptedDatabase.openConnection(path: path, configuration: configuration) } catch { fail("open failed: \(error)") }
do { try connection.execute("CREATE TABLE t(who TEXT, filler BLOB)") } catch { fail("create failed: \(error)") }
writeRows(connection, tag: "before")  // the database file's cipher draws its reserve

let child = fork()
if child == 0 {
    // The parent waits, holding no lock: the child uses the connection alone.
    writeRows(connection, tag: "child")
    guard let bytes = FileManager.default.contents(atPath: path), FileManager.default.createFile(atPath: copyPath, contents: bytes) else {
        fail("cannot copy the database")
    }
    _exit(0)
}
guard child > 0 else { fail("fork failed") }
var status: Int32 = 0
guard waitpid(child, &status, 0) == child, status == 0 else { fail("the child failed (status \(status))") }
writeRows(connection, tag: "parent")
exit(0)
