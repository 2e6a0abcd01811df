import CommunityMailSQL

// SQLite's extended result codes, by the names `sqlite3.h` gives them.
let SQLITE_IOERR_READ = SQLiteResultCode.ioErrorRead
let SQLITE_IOERR_SHORT_READ = SQLiteResultCode.ioErrorShortRead
let SQLITE_IOERR_WRITE = SQLiteResultCode.ioErrorWrite
let SQLITE_IOERR_DATA = SQLiteResultCode.ioErrorData
let SQLITE_IOERR_FSTAT = SQLiteResultCode.ioErrorFileStat
let SQLITE_IOERR_SHMOPEN = SQLiteResultCode.ioErrorSharedMemoryOpen
