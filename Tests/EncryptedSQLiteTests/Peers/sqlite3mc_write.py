"""Creates an encrypted database with apsw-sqlite3mc and prints its table digests.

Tables: account, message (10,000 rows, an index), attachment (blobs larger than a page).
usage: sqlite3mc_write.py <file> [--legacy] [--kdf-iter N] [--page-size N]
"""
import random
import sys

import sqlite3mc_common as common

path = sys.argv[1]
legacy, kdf_iter, page_size = common.options(sys.argv[2:])
con = common.open_encrypted(path, legacy=legacy, kdf_iter=kdf_iter, page_size=page_size)
if page_size and not legacy:
    con.pragma("page_size", page_size)
rng = random.Random(20261129)
con.execute("BEGIN")
con.execute("CREATE TABLE account(id INTEGER PRIMARY KEY, name TEXT NOT NULL, quota INTEGER)")
con.execute("CREATE TABLE message(id INTEGER PRIMARY KEY, account INTEGER NOT NULL, subject TEXT, body BLOB)")
con.execute("CREATE INDEX message_by_account ON message(account, subject)")
con.execute("CREATE TABLE attachment(id INTEGER PRIMARY KEY, message INTEGER, data BLOB)")
for i in range(1, 21):
    con.execute("INSERT INTO account VALUES (?, ?, ?)", (i, f"user{i}@ubuntu.com", rng.randrange(1 << 40)))
for i in range(1, 10001):
    con.execute("INSERT INTO message VALUES (?, ?, ?, ?)",
                (i, rng.randrange(1, 21), f"subject {rng.randrange(1 << 30)}", rng.randbytes(rng.randrange(0, 200))))
for i in range(1, 11):
    con.execute("INSERT INTO attachment VALUES (?, ?, ?)", (i, i * 7, rng.randbytes(70000 + i * 1000)))
con.execute("COMMIT")
for line in common.digests(con):
    print(line)
con.close()
