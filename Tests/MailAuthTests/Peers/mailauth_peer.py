"""The Python mail-authentication libraries, asked by MailAuthTests through one child process.

Usage: mailauth_peer.py COMMAND INPUT.json OUTPUT.json
  dmarc     cases -> authheaders.authenticate_message's Authentication-Results for each case.
            A case: {"message": str, "prev": str|null (an Authentication-Results field whose
            spf/dkim results authheaders takes as given), "txt": {name: text}}; "_dmarc"
            names are answered from "txt" only (authheaders asks them as str); any other
            name exists.
  ar-parse  values -> each Authentication-Results value parsed by authres (all features).
  ar-write  specs  -> the field authres writes for each spec {"authserv_id", "results":
            [{"method", "version", "result", "reason", "comment", "properties": [[t, n, v]]}]}.
  checkdmarc {"port": N, "domains": [...]} -> for each domain, checkdmarc's DMARC record
            discovery (query_dmarc_record) against the DNS server on 127.0.0.1:N, and the
            record's p/sp/pct/adkim/aspf as checkdmarc.dmarc.parse_dmarc_record reads them.
  psl       {"list": path, "domains": [...]} -> publicsuffixlist's and publicsuffix2's
            public suffix and registrable domain of each domain, with that list file.
Nothing here touches the network.
"""
import json
import sys


def dmarc(cases):
    import authheaders

    out = []
    for case in cases:
        txt = case["txt"]

        def dnsfunc(name, timeout=5):
            key = name.decode() if isinstance(name, bytes) else name
            key = key.rstrip(".").lower()
            if not key.startswith("_"):
                # authheaders asks whether the From domain exists (RFC 9091 np=); every
                # domain in the cases does.
                return b"192.0.2.1" if isinstance(name, bytes) else "192.0.2.1"
            value = txt.get(key)
            if value is None:
                return None
            return value.encode() if isinstance(name, bytes) else value

        prev = case.get("prev")
        has_dkim = bool(prev) and "dkim=" in prev
        try:
            header = authheaders.authenticate_message(
                case["message"].encode(), "peer.example", prev=prev, spf=False, dkim=has_dkim, arc=False,
                dmarc=True, dnsfunc=dnsfunc)
            out.append({"header": header})
        except Exception as error:  # a peer failure is data for the test, never a crash
            out.append({"error": "%s: %s" % (type(error).__name__, error)})
    return out


def ar_parse(values):
    import authres

    context = authres.all_features()
    out = []
    for value in values:
        try:
            header = context.parse_value(value)
        except Exception as error:
            out.append({"error": "%s: %s" % (type(error).__name__, error)})
            continue
        results = []
        for result in header.results:
            if not hasattr(result, "method"):
                continue  # the "none" clause
            results.append({
                "method": result.method,
                "version": result.version,
                "result": result.result,
                "reason": result.reason and str(result.reason),
                "properties": [[p.type, p.name, p.value and str(p.value)] for p in result.properties],
            })
        out.append({"authserv_id": header.authserv_id, "version": header.version, "results": results})
    return out


def ar_write(specs):
    import authres
    from authres.core import AuthenticationResult, AuthenticationResultProperty

    out = []
    for spec in specs:
        results = [
            AuthenticationResult(
                r["method"], version=r.get("version"), result=r["result"], result_comment=r.get("comment"),
                reason=r.get("reason"),
                properties=[AuthenticationResultProperty(t, n, v) for t, n, v in r.get("properties", [])])
            for r in spec["results"]
        ]
        header = authres.AuthenticationResultsHeader(authserv_id=spec["authserv_id"], results=results)
        out.append(header.header_value())
    return out


def psl(request):
    from publicsuffixlist import PublicSuffixList
    from publicsuffix2 import PublicSuffixList as PublicSuffixList2

    with open(request["list"], "rb") as data:
        first = PublicSuffixList(data)
    with open(request["list"], encoding="utf-8") as data:
        second = PublicSuffixList2(data)
    out = []
    for domain in request["domains"]:
        out.append({
            "publicsuffixlist": [first.publicsuffix(domain), first.privatesuffix(domain)],
            "publicsuffix2": [second.get_tld(domain), second.get_public_suffix(domain)],
        })
    return out


def checkdmarc_discovery(request):
    import dns.resolver
    from checkdmarc import dmarc as checkdmarc_dmarc

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = request["port"]
    out = []
    for domain in request["domains"]:
        try:
            found = checkdmarc_dmarc.query_dmarc_record(domain, resolver=resolver, ignore_unrelated_records=True, timeout=10.0)
        except Exception as error:
            out.append({"error": type(error).__name__})
            continue
        if found.get("record") is None:
            out.append({"error": "none"})
            continue
        entry = {"location": found["location"], "record": found["record"]}
        try:
            parsed = checkdmarc_dmarc.parse_dmarc_record(found["record"], found["location"], resolver=resolver, ignore_unrelated_records=True)
            entry["tags"] = {name: str(parsed["tags"][name]["value"]) for name in ("p", "sp", "pct", "adkim", "aspf") if name in parsed["tags"]}
        except Exception as error:
            entry["parse_error"] = type(error).__name__
        out.append(entry)
    return out


COMMANDS = {"dmarc": dmarc, "checkdmarc": checkdmarc_discovery, "ar-parse": ar_parse, "ar-write": ar_write, "psl": psl}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: mailauth_peer.py {%s} INPUT.json OUTPUT.json" % ",".join(COMMANDS))
    with open(sys.argv[2], encoding="utf-8") as source:
        request = json.load(source)
    answer = COMMANDS[sys.argv[1]](request)
    with open(sys.argv[3], "w", encoding="utf-8") as target:
        json.dump(answer, target)
