import CommunityMailCSQLite

// SQLite's extended result codes are function-like macros that Swift does not import.
let SQLITE_IOERR_READ = SQLITE_IOERR | (1 << 8)
let SQLITE_IOERR_SHORT_READ = SQLITE_IOERR | (2 << 8)
let SQLITE_IOERR_WRITE = SQLITE_IOERR | (3 << 8)
let SQLITE_IOERR_DATA = SQLITE_IOERR | (32 << 8)
let SQLITE_IOERR_FSTAT = SQLITE_IOERR | (7 << 8)
let SQLITE_IOERR_SHMOPEN = SQLITE_IOERR | (18 << 8)
