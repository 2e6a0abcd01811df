#!/usr/bin/env python3
"""A loopback OpenID 2.0 provider for the OpenIDAuth interop tests, built on python3-openid's
openid.server. It auto-approves one configured user and serves the identity pages.

Routes (BASE = http://127.0.0.1:PORT):
  /             OP identifier: XRDS (.../2.0/server) for Accept: application/xrds+xml,
                otherwise HTML carrying an X-XRDS-Location header to /?xrds
  /id/NAME      claimed identifier with Yadis: XRDS (.../2.0/signon) or HTML with links
  /html/NAME    claimed identifier with HTML discovery only (openid2.provider link)
  /openid       the endpoint: checkid_setup/immediate, associate, check_authentication

A checkid request whose return_to carries `answer=form` is answered with python-openid's
auto-submitting form instead of a redirect. --answer-by redirect|form answers every checkid
request that way (python-openid itself picks by length: a redirect below the OpenID 1 URL
limit, the form above), and the provider logs which one it used ("answered checkid by form"). --sha1-only limits associations to
HMAC-SHA1/DH-SHA1, so that a relying party preferring SHA-256 must renegotiate.
--assert-as URL makes it a hostile provider that asserts someone else's claimed identifier.
"""
import argparse
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl, urlparse

from openid.association import SessionNegotiator
from openid.extensions import sreg
from openid.server.server import CheckIDRequest, ProtocolError, Server
from openid.store.memstore import MemoryStore

SERVER_TYPE = "http://specs.openid.net/auth/2.0/server"
SIGNON_TYPE = "http://specs.openid.net/auth/2.0/signon"


def xrds(service_type, endpoint, local_id=None):
    local = "<LocalID>%s</LocalID>" % local_id if local_id else ""
    return ("""<?xml version="1.0" encoding="UTF-8"?>
<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)">
  <XRD>
    <Service priority="0">
      <Type>%s</Type>
      <Type>http://openid.net/extensions/sreg/1.1</Type>
      <URI>%s</URI>
      %s
    </Service>
  </XRD>
</xrds:XRDS>
""" % (service_type, endpoint, local)).encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="alice")
    parser.add_argument("--nickname", default="alice")
    parser.add_argument("--email", default="alice@example.com")
    parser.add_argument("--fullname", default="Alice Liddell")
    parser.add_argument("--sha1-only", action="store_true")
    parser.add_argument("--assert-as", help="answer identifier_select requests with this (foreign) claimed identifier")
    parser.add_argument("--answer-by", choices=["redirect", "form"], help="how to send every checkid answer back")
    args = parser.parse_args()

    base = "http://127.0.0.1:%d" % args.port
    endpoint = base + "/openid"
    identities = {base + "/id/" + args.user, base + "/html/" + args.user}
    server = Server(MemoryStore(), endpoint)
    if args.sha1_only:
        server.negotiator = SessionNegotiator([("HMAC-SHA1", "DH-SHA1")])
    profile = {"nickname": args.nickname, "email": args.email, "fullname": args.fullname}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *values):
            sys.stderr.write("provider: " + (fmt % values) + "\n")

        def send(self, code, body=b"", headers=None):
            self.send_response(code)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/openid":
                return self.openid(dict(parse_qsl(url.query, keep_blank_values=True)))
            wants_xrds = "application/xrds+xml" in self.headers.get("Accept", "")
            if url.path == "/":
                if wants_xrds or url.query == "xrds":
                    return self.send(200, xrds(SERVER_TYPE, endpoint), {"Content-Type": "application/xrds+xml"})
                return self.send(200, b"<html><head><title>OP</title></head><body>provider</body></html>",
                                 {"Content-Type": "text/html", "X-XRDS-Location": base + "/?xrds"})
            if base + url.path in identities:
                if url.path.startswith("/id/") and wants_xrds:
                    return self.send(200, xrds(SIGNON_TYPE, endpoint), {"Content-Type": "application/xrds+xml"})
                page = ('<html><head><title>%s</title><link rel="openid2.provider" href="%s"></head>'
                        '<body>%s</body></html>') % (args.user, endpoint, args.user)
                return self.send(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
            self.send(404, b"not found", {"Content-Type": "text/plain"})

        def do_POST(self):
            if urlparse(self.path).path != "/openid":
                return self.send(404, b"not found")
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            self.openid(dict(parse_qsl(body, keep_blank_values=True)))

        def openid(self, query):
            try:
                request = server.decodeRequest(query)
            except ProtocolError as error:
                return self.reply(server.encodeResponse(error) if error.hasReturnTo() else None, error)
            if request is None:
                return self.send(400, b"not an OpenID request", {"Content-Type": "text/plain"})
            if isinstance(request, CheckIDRequest):
                if request.idSelect():
                    identity = args.assert_as or base + "/id/" + args.user
                    response = request.answer(True, identity=identity, claimed_id=identity)
                else:
                    response = request.answer(request.identity in identities)
                sreg_request = sreg.SRegRequest.fromOpenIDRequest(request)
                response.addExtension(sreg.SRegResponse.extractResponse(sreg_request, profile))
                answer_by = args.answer_by or ("form" if "answer=form" in (request.return_to or "") else None)
                if answer_by:
                    signed = server.signatory.sign(response)
                    sys.stderr.write("provider: answered checkid by %s\n" % answer_by)
                    sys.stderr.flush()
                    if answer_by == "form":
                        return self.send(200, signed.toHTML().encode(), {"Content-Type": "text/html; charset=utf-8"})
                    return self.send(302, b"", {"Location": signed.encodeToURL()})
            else:
                response = server.handleRequest(request)
            self.reply(server.encodeResponse(response))

        def reply(self, web, error=None):
            if web is None:
                return self.send(400, str(error).encode(), {"Content-Type": "text/plain"})
            body = web.body if isinstance(web.body, bytes) else web.body.encode("utf-8")
            self.send(web.code, body, dict(web.headers))

    httpd = HTTPServer(("127.0.0.1", args.port), Handler)
    sys.stderr.write("provider: listening on %s\n" % base)
    sys.stderr.flush()
    httpd.serve_forever()


if __name__ == "__main__":
    main()
