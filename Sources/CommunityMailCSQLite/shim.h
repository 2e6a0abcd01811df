// The system's libsqlite3, under a module name no other package uses
// (sqlite-nio already owns `CSQLite`).
#include <sqlite3.h>
