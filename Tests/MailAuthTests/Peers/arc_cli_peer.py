"""dkimpy's ARC command-line tools (`arcsign`, `arcverify`; RSA only) for the MailAuth
interop tests, with their DNS answered on loopback: one batch of jobs per run.

Usage: python arc_cli_peer.py BATCH.json ANSWER.json

The batch: {"keys": {"sel._domainkey.example.org": "v=DKIM1; k=rsa; p=..."},
            "jobs": [{"op": "verify", "message": BASE64},
                     {"op": "seal", "message": BASE64, "selector": "...", "domain": "...",
                      "privateKey": PEM, "authservId": "...", "results": "spf=pass ..."}]}
The answer: {"results": [...]}, one per job:
  verify -> {"cv": "none" | "pass" | "fail", "output": arcverify's line}
  seal   -> {"cv": arcverify's cv before sealing, "message": BASE64 of arcsign's output}
  either -> {"error": "..."}

The CLIs resolve through /etc/resolv.conf, so this script serves the key table with dnslib
on 127.0.0.N port 53 (N chosen at random, loopback only) and runs each CLI as
`unshare -m sh -c 'mount --bind RESOLV /etc/resolv.conf && exec CLI'`: the bind mount
exists only in that child's mount namespace; the machine's resolv.conf is never touched.
arcverify exits 0 whatever the verdict: its line ("arc verification: cv=b'pass' success")
is parsed. dkimpy answers cv=None when an older seal says cv=fail; that is reported as
"fail" (RFC 8617 section 5.2).
"""

import base64
import json
import os
import random
import re
import subprocess
import sys
import tempfile

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class KeyTable(BaseResolver):
    def __init__(self, keys):
        self.keys = {name.lower().rstrip("."): record for name, record in keys.items()}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).lower().rstrip(".")
        record = self.keys.get(name)
        if record is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            data = record.encode("ascii")
            chunks = [data[i:i + 255] for i in range(0, len(data), 255)]
            reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(chunks), ttl=60))
        return reply


def start_server(keys):
    for _ in range(20):
        address = "127.0.0.%d" % random.randint(2, 250)
        try:
            server = DNSServer(KeyTable(keys), address=address, port=53, logger=DNSLogger(logf=lambda _: None))
            server.start_thread()
            return server, address
        except OSError:
            continue
    raise RuntimeError("no free 127.0.0.N:53")


def tool(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def in_namespace(resolv, command, message):
    script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
    return subprocess.run(["unshare", "-m", "sh", "-c", script, resolv] + command, input=message,
                          capture_output=True, timeout=120)


def verify(resolv, message):
    done = in_namespace(resolv, [tool("arcverify")], message)
    line = done.stdout.decode("utf-8", "replace").strip().splitlines()
    line = line[-1] if line else ""
    match = re.match(r"arc verification: cv=(?:b')?([A-Za-z]+)'?", line)
    if done.returncode != 0 or match is None:
        return {"error": "arcverify exited %d: %s" % (done.returncode, done.stderr.decode("utf-8", "replace")[-500:])}
    cv = match.group(1).lower()
    return {"cv": "fail" if cv == "none" and "Message is not ARC signed" not in line else cv, "output": line}


def seal(resolv, directory, message, job):
    chain = verify(resolv, message)
    if "error" in chain:
        return chain
    results = job["results"] + ("" if chain["cv"] == "none" else "; arc=%s" % chain["cv"])
    message = ("Authentication-Results: %s; %s\r\n" % (job["authservId"], results)).encode("ascii") + message
    key_path = os.path.join(directory, "key.pem")
    with open(key_path, "w") as handle:
        handle.write(job["privateKey"])
    done = subprocess.run([tool("arcsign"), job["selector"], job["domain"], key_path, job["authservId"]],
                          input=message, capture_output=True, timeout=120)
    if done.returncode != 0 or not done.stdout.lower().startswith(b"arc-seal:"):
        return {"error": "arcsign exited %d: %s" % (done.returncode, done.stderr.decode("utf-8", "replace")[-500:])}
    return {"cv": chain["cv"], "message": base64.b64encode(done.stdout).decode("ascii")}


def main():
    with open(sys.argv[1], "rb") as handle:
        batch = json.load(handle)
    server, address = start_server(batch.get("keys", {}))
    try:
        with tempfile.TemporaryDirectory(prefix="arc-cli") as directory:
            resolv = os.path.join(directory, "resolv.conf")
            with open(resolv, "w") as handle:
                handle.write("nameserver %s\noptions timeout:2 attempts:2\n" % address)
            results = []
            for job in batch["jobs"]:
                try:
                    message = base64.b64decode(job["message"])
                    if job["op"] == "verify":
                        results.append(verify(resolv, message))
                    else:
                        results.append(seal(resolv, directory, message, job))
                except Exception as error:
                    results.append({"error": "%s: %s" % (type(error).__name__, error)})
    finally:
        server.stop()
    with open(sys.argv[2], "w") as handle:
        json.dump({"results": results}, handle)


if __name__ == "__main__":
    main()
