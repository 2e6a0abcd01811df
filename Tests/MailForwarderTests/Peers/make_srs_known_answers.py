"""Writes srs-known-answers.json: what postsrsd, python3-srs and srslib answer for a fixed
secret, domain and day, which SRSKnownAnswerTests compares SRSRewriter with.

    /usr/bin/python3 make_srs_known_answers.py VENV_PYTHON > srs-known-answers.json

Needs postsrsd and faketime (apt; postsrsd reads the real clock, so it runs with
libfaketime at the fixed time), python3-srs (apt, for /usr/bin/python3) and srslib (pip, in
the venv). postsrsd listens on two free loopback ports and is stopped at the end.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "tops3cr3t"
DOMAIN = "fwd.example.net"
FIXED_TIME = 1_800_000_000  # 2027-01-15 08:00:00 UTC, ManualClock's default start
SENDERS = [
    "alice@origin.example",
    "Alice.Smith@Origin.Example",
    "UPPER@EXAMPLE.ORG",
    "a=b@x.org",
    "user+tag@example.com",
    "first.last+a=b@sub.example.co.uk",
    "o'brien&co{1}@example.org",
    "a" * 64 + "@example.org",
    "jürgen@müller.example",
    "JÜRGEN@x.example",
    "SRS0=HHHH=TT=other.org=bob@fwd1.example",
    "srs0=abcd=ZZ=other.org=bob@fwd1.example",
    "SRS0+xyz=AB=orig.example=u@fwd1.example",
    "SRS1=abcd=fwd1.example==HHHH=TT=orig=u@fwd2.example",
    "SRS1+Xy12=fwd1.example=+HHHH=TT=orig=u@fwd2.example",
    "bob@fwd.example.net",
    "bob@FWD.Example.NET",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(address):
    return urllib.parse.quote(address, safe="@=+-._~!$&'*/?^`{|}#")


def python_peer(python, peer, action, addresses):
    out = subprocess.run(
        [python, os.path.join(HERE, "srs_peer.py"), peer, action, "--domain", DOMAIN, "--secret", SECRET,
         "--time", str(FIXED_TIME)] + [encode(a) for a in addresses],
        check=True, capture_output=True, text=True).stdout.splitlines()
    return [urllib.parse.unquote(line[3:]) if line.startswith("OK ") else None for line in out]


def ask(port, addresses):
    answers = []
    with socket.create_connection(("127.0.0.1", port)) as s:
        f = s.makefile("rwb")
        for address in addresses:
            f.write(b"get " + urllib.parse.quote(address, safe="@=+-._~!$&'*/?^`{|}#\"").encode() + b"\n")
            f.flush()
            line = f.readline().decode().rstrip("\n")
            answers.append(urllib.parse.unquote(line[4:]) if line.startswith("200 ") else None)
    return answers


def postsrsd(action_addresses):
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "secret"), "w") as f:
            f.write(SECRET + "\n")
        forward_port, reverse_port = free_port(), free_port()
        # libfaketime preloaded directly (not through the `faketime` wrapper), so that the
        # child is postsrsd itself and killing it stops it.
        env = dict(os.environ, TZ="UTC", LD_PRELOAD=LIBFAKETIME,
                   FAKETIME=time.strftime("@%Y-%m-%d %H:%M:%S", time.gmtime(FIXED_TIME)))
        process = subprocess.Popen(
            ["postsrsd", "-s", os.path.join(folder, "secret"), "-d", DOMAIN, "-l", "127.0.0.1",
             "-4", "-f", str(forward_port), "-r", str(reverse_port), "-p", os.path.join(folder, "pid")], env=env)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", reverse_port)).close()
                    break
                except OSError:
                    time.sleep(0.05)
            forwards = ask(forward_port, action_addresses)
            reverses = ask(reverse_port, [a for a in forwards if a])
            return forwards, reverses
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()


def main():
    venv_python = sys.argv[1]
    by_postsrsd, reversed_by_postsrsd = postsrsd(SENDERS)
    by_srs = python_peer("/usr/bin/python3", "srs", "forward", SENDERS)
    by_srslib = python_peer(venv_python, "srslib", "forward", SENDERS)
    reverses = iter(reversed_by_postsrsd)
    cases = []
    for sender, p, s, l in zip(SENDERS, by_postsrsd, by_srs, by_srslib):
        cases.append({"sender": sender, "postsrsd": p, "python3-srs": s, "srslib": l,
                      "postsrsd-reverse": next(reverses) if p else None})
    json.dump({"secret": SECRET, "domain": DOMAIN, "time": FIXED_TIME, "cases": cases}, sys.stdout,
              indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


main()
