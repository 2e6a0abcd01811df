"""dkimpy as a DKIM peer for MailAuthTests: signs and verifies a whole corpus in one run.

    dkim_peer.py JOB.json RESULT.json

JOB.json holds `keys` ({"sel._domainkey.example.org": "v=DKIM1; ..."}: what dnsfunc
answers; other names get no record) and `tasks`, done in order:
  {"op": "sign", "message": B64, "selector": S, "domain": D, "key": TEXT,
   "algorithm": "rsa-sha256" | "ed25519-sha256", "canonicalization": "relaxed/simple",
   "headers": [names] (optional), "length": true (optional: sign with l=)}
      -> {"field": B64 of the DKIM-Signature line dkimpy made} or {"error": TEXT}
      (TEXT for RSA: PKCS #1 PEM; for Ed25519: the base64 32-byte seed, dknewkey's form)
  {"op": "verify", "message": B64}
      -> {"results": [true/false for each DKIM-Signature, top first]}
RESULT.json is the list of answers, one per task. Messages are base64 so any byte survives.
"""
import base64
import json
import logging
import sys

import dkim


def main():
    with open(sys.argv[1]) as handle:
        job = json.load(handle)
    keys = {name.lower().rstrip("."): text.encode() for name, text in job["keys"].items()}

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        return keys.get(name.lower().rstrip("."))

    quiet = logging.getLogger("dkim_peer")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    answers = []
    for task in job["tasks"]:
        message = base64.b64decode(task["message"])
        if task["op"] == "sign":
            header, body = task["canonicalization"].split("/")
            try:
                field = dkim.sign(
                    message,
                    task["selector"].encode(),
                    task["domain"].encode(),
                    task["key"].encode(),
                    canonicalize=(header.encode(), body.encode()),
                    signature_algorithm=task["algorithm"].encode(),
                    include_headers=[h.encode() for h in task["headers"]] if task.get("headers") else None,
                    length=bool(task.get("length")),
                    logger=quiet,
                )
                answers.append({"field": base64.b64encode(field).decode()})
            except Exception as error:  # the test prints it
                answers.append({"error": "%s: %s" % (type(error).__name__, error)})
        elif task["op"] == "verify":
            verifier = dkim.DKIM(message, logger=quiet, minkey=1024)
            count = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
            results = []
            for index in range(count):
                try:
                    results.append(bool(verifier.verify(idx=index, dnsfunc=dnsfunc)))
                except Exception:
                    results.append(False)
            answers.append({"results": results})
        else:
            answers.append({"error": "unknown op"})
    with open(sys.argv[2], "w") as handle:
        json.dump(answers, handle)


if __name__ == "__main__":
    main()
