"""Opens an encrypted database with apsw-sqlite3mc and prints integrity_check and table digests.

usage: sqlite3mc_read.py <file> [--legacy] [--kdf-iter N] [--page-size N]
"""
import sys

import sqlite3mc_common as common

path = sys.argv[1]
legacy, kdf_iter, page_size = common.options(sys.argv[2:])
con = common.open_encrypted(path, legacy=legacy, kdf_iter=kdf_iter, page_size=page_size)
check = [row[0] for row in con.execute("PRAGMA integrity_check")]
print("integrity\t" + ",".join(check))
print("page_size\t" + str(con.execute("PRAGMA page_size").fetchall()[0][0]))
for line in common.digests(con):
    print(line)
con.close()
