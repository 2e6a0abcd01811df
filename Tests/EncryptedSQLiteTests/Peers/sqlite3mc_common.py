"""Shared helpers for the apsw-sqlite3mc interop peers (run by EncryptedSQLiteTests).

The passphrase comes from the environment (MAILBOX_PASSPHRASE), never from argv.
"""
import hashlib
import os

import apsw


def open_encrypted(path, legacy=False, kdf_iter=None, page_size=None):
    """Opens `path` with sqlite3mc's chacha20 cipher: cipher, options, then the key."""
    con = apsw.Connection(path)
    con.pragma("cipher", "chacha20")
    if legacy:
        con.pragma("legacy", 1)
        if page_size:
            con.pragma("legacy_page_size", page_size)
    elif kdf_iter:
        con.pragma("kdf_iter", kdf_iter)
    con.pragma("key", os.environ["MAILBOX_PASSPHRASE"])
    return con


def value_text(value):
    """The canonical text of a value; the Swift tests format values the same way."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    return str(value)


def digests(con):
    """For every user table: name, row count and SHA-256 of its rows in rowid order."""
    lines = []
    names = [row[0] for row in con.execute(
        "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for name in names:
        hasher = hashlib.sha256()
        count = 0
        for row in con.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
            hasher.update(("\t".join(value_text(v) for v in row) + "\n").encode())
            count += 1
        lines.append(f"{name}\t{count}\t{hasher.hexdigest()}")
    return lines


def options(argv):
    """Parses `--legacy`, `--kdf-iter N`, `--page-size N` after the file name."""
    legacy, kdf_iter, page_size = False, None, None
    i = 0
    while i < len(argv):
        if argv[i] == "--legacy":
            legacy = True
        elif argv[i] == "--kdf-iter":
            i += 1
            kdf_iter = int(argv[i])
        elif argv[i] == "--page-size":
            i += 1
            page_size = int(argv[i])
        i += 1
    return legacy, kdf_iter, page_size
