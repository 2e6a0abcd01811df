"""dkimpy's ARC (RFC 8617) for the MailAuth interop tests: one batch of jobs per run.

Usage: python arc_peer.py BATCH.json ANSWER.json  (writes one JSON document to ANSWER.json)

The batch: {"keys": {"sel._domainkey.example.org": "v=DKIM1; k=rsa; p=..."},
            "signers": {"name": {"selector": "...", "domain": "...",
                                 "algorithm": "rsa-sha256" | "ed25519-sha256",
                                 "privateKey": PEM (RSA) | base64 seed (Ed25519)}},
            "jobs": [{"op": "verify", "message": BASE64},
                     {"op": "seal", "message": BASE64, "signer": "name",
                      "authservId": "...", "results": "spf=pass smtp.mailfrom=...",
                      "timestamp": 1700000000}],
            "arcEd25519": true}   (optional: let dkimpy's ARC verify ed25519-sha256 sets)
The answer: {"results": [...]}, one entry per job, in order:
  verify -> {"cv": "none" | "pass" | "fail", "dkimpy": raw cv, "reason": "..."}
  seal   -> {"cv": the chain's cv before sealing, "message": BASE64 of the sealed message}
  either -> {"error": "..."} when dkimpy raised.

Keys come from the batch's table through dkimpy's `dnsfunc`: no DNS is asked.
dkimpy answers None (not "fail") when an older seal says cv=fail ("the chain is
terminated"); RFC 8617 section 5.2 calls that a failed chain, so it is reported as
"fail" (the raw answer is in "dkimpy").
"""

import base64
import json
import sys

import dkim


def main():
    with open(sys.argv[1], "rb") as handle:
        batch = json.load(handle)
    if batch.get("arcEd25519"):
        # dkimpy 1.1.8 verifies ARC sets only with rsa-sha256 (its ARC_HASH_ALGORITHMS);
        # its DKIM code verifies ed25519-sha256 (RFC 8463), and ARC sets are checked by the
        # same code, so the batch may let ARC use it too.
        import hashlib

        dkim.ARC_HASH_ALGORITHMS[b"ed25519-sha256"] = hashlib.sha256
    keys = {name.lower().rstrip("."): record for name, record in batch.get("keys", {}).items()}

    def dnsfunc(name, timeout=5):
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        record = keys.get(text.lower().rstrip("."))
        return record.encode("ascii") if record is not None else None

    results = []
    for job in batch["jobs"]:
        try:
            message = base64.b64decode(job["message"])
            if job["op"] == "verify":
                results.append(verify(message, dnsfunc))
            elif job["op"] == "seal":
                results.append(seal(message, batch["signers"][job["signer"]], job, dnsfunc))
            else:
                results.append({"error": "unknown op"})
        except Exception as error:  # a peer failure is an answer, not the end of the batch
            results.append({"error": "%s: %s" % (type(error).__name__, error)})
    with open(sys.argv[2], "w") as handle:
        json.dump({"results": results}, handle)


def verify(message, dnsfunc):
    cv, _, reason = dkim.arc_verify(message, dnsfunc=dnsfunc)
    raw = cv.decode("ascii") if isinstance(cv, bytes) else repr(cv)
    return {"cv": raw if cv is not None else "fail", "dkimpy": raw, "reason": reason}


def seal(message, signer, job, dnsfunc):
    """Seals as a receiving ADMD does: verify the chain, write our Authentication-Results
    (with arc=<cv> when there is a chain), then let dkimpy add the next ARC set."""
    chain = verify(message, dnsfunc)["cv"]
    srv_id = job["authservId"]
    results = job["results"]
    if chain != "none":
        results += "; arc=%s" % chain
    auth_results = ("Authentication-Results: %s; %s\r\n" % (srv_id, results)).encode("ascii")
    message = auth_results + message
    algorithm = signer["algorithm"].encode("ascii")
    arc = dkim.ARC(message, signature_algorithm=algorithm, linesep=b"\r\n")
    private_key = signer["privateKey"].encode("ascii")
    if algorithm == b"ed25519-sha256":
        # ARC.sign always reads its key as an RSA PEM (dkimpy 1.1.8); for Ed25519 it must
        # get pynacl's key instead, which its signing step then uses.
        import nacl.encoding
        import nacl.signing

        ed25519_key = nacl.signing.SigningKey(private_key, encoder=nacl.encoding.Base64Encoder)
        original = dkim.parse_pem_private_key
        dkim.parse_pem_private_key = lambda _: ed25519_key
        try:
            arc_set = arc.sign(signer["selector"].encode("ascii"), signer["domain"].encode("ascii"),
                               private_key, srv_id.encode("ascii"), timestamp=job.get("timestamp"))
        finally:
            dkim.parse_pem_private_key = original
    else:
        arc_set = arc.sign(signer["selector"].encode("ascii"), signer["domain"].encode("ascii"),
                           private_key, srv_id.encode("ascii"), timestamp=job.get("timestamp"))
    if not arc_set:
        raise RuntimeError("dkimpy made no ARC set")
    sealed = b"".join(arc_set) + message
    return {"cv": chain, "message": base64.b64encode(sealed).decode("ascii")}


if __name__ == "__main__":
    main()
