"""Asks a Python SRS peer to forward or reverse addresses, for MailForwarderTests.

    srs_peer.py PEER ACTION --domain D --secret S [--secret S2 ...] [--time UNIX] ADDR...

PEER is `srs` (python3-srs's SRS.Guarded; run with /usr/bin/python3, where Debian installs
it) or `srslib` (PyPI srslib; run with the test venv's python). ACTION is `forward` or
`reverse`. One line per address on stdout: `OK <address>` or `ERR <exception class>`.
With --time, the peer's clock reads that Unix time (both libraries read time.time()).
Addresses are given percent-encoded UTF-8 (so that any byte survives argv) and printed
the same way.
"""
import argparse
import sys
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("peer", choices=["srs", "srslib"])
    parser.add_argument("action", choices=["forward", "reverse"])
    parser.add_argument("--domain", required=True)
    parser.add_argument("--secret", action="append", required=True)
    parser.add_argument("--time", type=float)
    parser.add_argument("addresses", nargs="*")
    args = parser.parse_intermixed_args()

    if args.time is not None:
        fixed = args.time
        time.time = lambda: fixed

    if args.peer == "srs":
        from SRS.Guarded import Guarded
        peer = Guarded(secret=args.secret, hashlength=4, separator="=", maxage=21)
        forward = lambda address: peer.forward(address, args.domain)
        reverse = peer.reverse
    else:
        import srslib
        peer = srslib.SRS(args.secret[0], prev_secrets=args.secret[1:])
        if args.time is not None:
            peer._time_fn = time.time
        forward = lambda address: peer.forward(address, args.domain)
        reverse = peer.reverse

    for encoded in args.addresses:
        address = urllib.parse.unquote(encoded)
        try:
            result = forward(address) if args.action == "forward" else reverse(address)
            print("OK " + urllib.parse.quote(result, safe="@=+-._~!$&'*/?^`{|}#"))
        except Exception as error:  # each peer raises its own classes (AssertionError too)
            print("ERR " + type(error).__name__)
        sys.stdout.flush()


main()
