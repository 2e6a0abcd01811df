"""Leaves a hot rollback journal behind: prints the table digests, then rewrites most rows
in a transaction whose page cache spills to the database file, and exits without
committing (os._exit, as a crash would).

usage: sqlite3mc_crash.py <file> [--legacy] [--kdf-iter N] [--page-size N]
"""
import os
import sys

import sqlite3mc_common as common

path = sys.argv[1]
legacy, kdf_iter, page_size = common.options(sys.argv[2:])
con = common.open_encrypted(path, legacy=legacy, kdf_iter=kdf_iter, page_size=page_size)
con.execute("PRAGMA journal_mode = DELETE")
for line in common.digests(con):
    print(line)
sys.stdout.flush()
con.execute("PRAGMA cache_size = 5")
con.execute("BEGIN IMMEDIATE")
con.execute("UPDATE message SET subject = 'overwritten ' || id, body = randomblob(150)")
con.execute("DELETE FROM attachment WHERE id % 2 = 0")
os._exit(0)
