"""A Launchpad-shaped web service for LaunchpadClient's interop tests, built on peers
nobody in this project wrote:

- paging by lazr.batchnavigator, the batching library Launchpad's web service
  (lazr.restful) uses: `ws.start`/`ws.size` (default 75, at most 300), `memo`, the next
  and previous batch URLs, the total;
- OAuth 1.0 PLAINTEXT checked by oauthlib, the library launchpadlib signs with.

Usage: launchpad_lazr_peer.py PORT TEAM MEMBERS [TOKEN_SECRET]
Serves /1.0/ and /devel/: ~TEAM, ~member-NNNNN, ~TEAM/members and ~TEAM/participants
on 127.0.0.1:PORT.
With TOKEN_SECRET, requests must carry a valid PLAINTEXT signature (401 otherwise).
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from lazr.batchnavigator import BatchNavigator
from lazr.batchnavigator.interfaces import InvalidBatchSizeError
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature

PORT, TEAM, COUNT = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
TOKEN_SECRET = sys.argv[4] if len(sys.argv) > 4 else None
ROOT = "http://127.0.0.1:%d/" % PORT
MEMBERS = ["member-%05d" % index for index in range(COUNT)]
REDACTED = "tag:launchpad.net:2008:redacted"


class WebServiceBatchNavigator(BatchNavigator):
    """The navigator configured as Launchpad's web service configures it."""
    start_variable_name = "ws.start"
    batch_variable_name = "ws.size"
    default_batch_size = 75
    max_batch_size = 300


class NavigatorRequest:
    """The little of a zope request that BatchNavigator reads."""
    method = "GET"

    def __init__(self, url, query):
        self.URL = url
        self.form = {}
        self._query = query

    def get(self, name, default=None):
        return self._query if name == "QUERY_STRING" else default


def person(version, name, is_team=False):
    base = ROOT + version + "/"
    return {
        "self_link": base + "~" + name,
        "web_link": "https://launchpad.net/~" + name,
        "resource_type_link": base + ("#team" if is_team else "#person"),
        "http_etag": '"%08x-peer"' % (hash(name) & 0xFFFFFFFF),
        "name": name,
        "display_name": name.replace("-", " ").title(),
        "is_team": is_team,
        "is_valid": True,
        "is_ubuntu_coc_signer": not is_team,
        "is_probationary": False,
        "karma": len(name),
        "visibility": "Public",
        "private": False,
        "date_created": "2009-09-09T09:09:09.090909+00:00",
        "time_zone": REDACTED,
        "preferred_email_address_link": REDACTED,
        "members_collection_link": base + "~" + name + "/members",
        "participants_collection_link": base + "~" + name + "/participants",
        "members_details_collection_link": base + "~" + name + "/members_details",
        "team_owner_link": None,
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        if TOKEN_SECRET is None:
            return True
        header = self.headers.get("Authorization")
        if not header or not header.startswith("OAuth "):
            return False
        # As oauthlib's endpoints do: header parameters, percent-decoded.
        params = dict(signature.collect_parameters(
            headers={"Authorization": header}, exclude_oauth_signature=False, with_realm=True))
        if params.get("oauth_signature_method") != "PLAINTEXT" or params.get("oauth_version") != "1.0":
            return False
        request = OAuthRequest(ROOT.rstrip("/") + self.path, "GET", headers=dict(self.headers))
        request.signature = params.get("oauth_signature", "")
        return signature.verify_plaintext(request, "", TOKEN_SECRET)

    def do_GET(self):
        if not self.authorized():
            return self.reply(401, b"Invalid OAuth signature.", "text/plain")
        parts = urlsplit(self.path)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) < 2 or segments[0] not in ("1.0", "devel") or not segments[1].startswith("~"):
            return self.reply(404, b"Object: <root>, name: '%s'" % parts.path.encode(), "text/plain")
        version, name = segments[0], segments[1][1:]
        known = name == TEAM or name in set(MEMBERS)
        if not known:
            return self.reply(404, ("Object: <PersonSet>, name: '~%s'" % name).encode(), "text/plain")
        if len(segments) == 2:
            return self.reply(200, person(version, name, name == TEAM))
        # The team has no member teams, so its participants are its members.
        if len(segments) != 3 or segments[2] not in ("members", "participants") or name != TEAM:
            return self.reply(404, b"Not found.", "text/plain")
        url = ROOT + "/".join(segments)
        try:
            navigator = WebServiceBatchNavigator(MEMBERS, NavigatorRequest(url, parts.query))
        except InvalidBatchSizeError as error:
            return self.reply(400, str(error).encode(), "text/plain")
        batch = navigator.batch
        page = {"start": batch.start, "resource_type_link": ROOT + version + "/#person-page-resource"}
        # As lazr.restful does: devel links to the size except on the last batch.
        if version == "devel" and batch.nextBatch() is not None:
            page["total_size_link"] = url + "?ws.show=total_size"
        else:
            page["total_size"] = max(0, batch.total())
        if parts.query == "ws.show=total_size":
            return self.reply(200, len(MEMBERS))
        next_url = navigator.nextBatchURL()
        if next_url:
            page["next_collection_link"] = next_url
        prev_url = navigator.prevBatchURL()
        if prev_url:
            page["prev_collection_link"] = prev_url
        page["entries"] = [person(version, member) for member in batch]
        self.reply(200, page)

    def log_message(self, format, *args):
        sys.stdout.write("%s %s\n" % (self.command, self.path))
        sys.stdout.flush()


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
