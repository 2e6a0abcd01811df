r"""A scripted IMAP4rev1 session by Python's imaplib and PyPI's imapclient (clients nobody
here wrote), run the same way against Dovecot and against our server.

    python imap_session.py corpus              -> JSON: the messages both servers hold
    python imap_session.py run CONFIG.json     -> JSON: the normalised transcript

CONFIG: {"host", "port", "cafile", "user", "password"}. Both sessions start in plaintext and
upgrade with STARTTLS, verifying the server against `cafile` (the test authority).

Session A (imaplib) sends each command itself on imaplib's TLS connection so that every
untagged response is kept in the order it came; session B (imapclient) uses imapclient's own
calls (AUTHENTICATE PLAIN, IDLE, ...); a third connection (imaplib) appends and expunges
while B is idle.

The transcript is a list of steps, each {"step", "status", "code", "responses", "info"}:
`status` is the tagged OK/NO/BAD, `code` its normalised response code, `responses` the
normalised untagged responses (compared between servers), `info` what is recorded but
legitimately differs between servers (not compared).

Normalisations, and why each is legitimate:
  - Tags: the clients generate them; ESEARCH's (TAG "...") echoes one: dropped.
  - Response text after the status and code (greeting, "Logged in", BYE text): free text
    (RFC 3501 section 7.1), only the status and the code are kept.
  - Untagged OK/NO without a code ("* OK Still here", progress text): free text.
  - CAPABILITY lists (untagged or in a code): each server has its own extensions; the step
    records which of the capabilities this script relies on are there.
  - ID: the server's own identification (RFC 2971): `info` only.
  - UIDVALIDITY values (in OK [UIDVALIDITY], STATUS, APPENDUID, COPYUID): chosen by each
    server (RFC 3501 section 2.3.1.1 only asks that it change when UIDs are reused).
  - MODSEQ / HIGHESTMODSEQ values: each server counts its own way (RFC 7162 section 3.1.1
    only asks that they increase); the script compares them with each other instead.
  - INTERNALDATE: the instant is compared in UTC; the zone a server shows it in is its own
    (RFC 3501 section 2.3.3).
  - Sequence sets in ESEARCH ALL, APPENDUID, COPYUID, VANISHED: `1:3` and `1,2,3` are the same
    set (RFC 9051 section 9, sequence-set); written in one canonical form.
  - SEARCH numbers: sorted (RFC 3501 section 7.2.5 fixes no order).
  - Order of items inside one FETCH response, of flags inside a flag list, of LIST lines and of
    LIST attributes: not fixed by the RFC; sorted.
  - QUOTAROOT/QUOTA root names and figures: the root's name and the limits are the server's
    configuration (RFC 9208 section 5.2); the resource names are kept.
  - MODSEQ in the answer to a FETCH that did not ask for it: RFC 7162 section 3.1 makes it
    required only in unsolicited FETCH responses and STORE results; sending it with every
    FLAGS (as we do under CONDSTORE) is extra data RFC 3501 section 7.4.2 allows. Dropped there.
  - The order of SELECT/EXAMINE's untagged responses (RFC 3501 section 6.3.1 fixes none): sorted.
  - LIST/LSUB attributes the command did not ask for: \Marked/\UnMarked (RFC 3501 7.2.2, the
    server's choice), special-use attributes without a SPECIAL-USE option (RFC 6154 section
    5.1: required only then) and \HasChildren/\HasNoChildren without RETURN (CHILDREN)
    (RFC 5258 section 4: required only then). Dropped unless asked for.
  - Response codes of NO and BAD answers (RFC 5530's codes are optional) but TRYCREATE (RFC
    3501 section 6.3.11: MUST) and BADCHARSET's name (its charset list is optional).
"""

import base64, datetime, json, re, socket, ssl, sys, time

import imaplib
from imapclient import IMAPClient

# ---------------------------------------------------------------------------------------
# The corpus: what both servers hold in INBOX before the session, in UID order.

DAY = 86400
BASE = 1_700_006_400  # 15-Nov-2023 00:00:00 UTC


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def corpus():
    messages = []

    def add(text, flags, day, hour=10):
        messages.append({"bytes": crlf(text) if isinstance(text, str) else text, "flags": flags,
                         "date": BASE + day * DAY + hour * 3600})

    add("""From: Alice Example <alice@example.org>
To: Bob <bob@example.net>
Cc: Carol <carol@example.com>
Subject: Budget for 2024
Date: Wed, 15 Nov 2023 09:00:00 +0000
Message-ID: <m1@example.org>

The budget meeting is on Friday.
Please bring the numbers.
""", ["\\Seen"], 0)
    add("""From: bob@example.net
To: alice@example.org
Subject: Re: Budget for 2024
Date: Thu, 16 Nov 2023 10:30:00 +0100
Message-ID: <m2@example.net>
In-Reply-To: <m1@example.org>
References: <m1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Sounds good. See you Friday =E2=80=94 Bob.
""", [], 1)
    add("""From: "Dave D." <dave@example.com>
To: alice@example.org, "Eve" <eve@example.org>
Subject: Holiday photos
Date: Fri, 17 Nov 2023 18:45:12 -0500
Message-ID: <m3@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer-b"

This is a multi-part message.
--outer-b
Content-Type: multipart/alternative; boundary=inner-b

--inner-b
Content-Type: text/plain; charset=us-ascii

Here are the photos from the trip.
--inner-b
Content-Type: text/html; charset=us-ascii

<p>Here are the <b>photos</b> from the trip.</p>
--inner-b--
--outer-b
Content-Type: image/png; name="beach.png"
Content-Disposition: attachment; filename="beach.png"
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
--outer-b--
""", ["\\Flagged"], 2)
    add("""From: =?UTF-8?B?SsO8cmdlbg==?= <juergen@example.de>
To: alice@example.org
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_Berlin?=
Date: Sat, 18 Nov 2023 08:00:00 +0100
Message-ID: <m4@example.de>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit

""".encode("utf-8").replace(b"\n", b"\r\n") + "Viele Gr\u00fc\u00dfe, J\u00fcrgen\r\n".encode("latin-1"),
        ["\\Seen", "\\Answered"], 3)
    add("""From: newsletter@lists.example.org
To: undisclosed-recipients:;
Subject: Weekly digest
Date: Sun, 19 Nov 2023 06:00:00 +0000
Message-ID: <m5@lists.example.org>
List-Id: <weekly.lists.example.org>
Content-Type: message/rfc822

From: editor@lists.example.org
Subject: Inside story
Date: Sat, 18 Nov 2023 22:00:00 +0000

The inner message's body mentions the budget too.
""", [], 4)
    add("""From: alice@example.org
To: bob@example.net
Subject: Draft: agenda
Message-ID: <m6@example.org>

1. Budget
2. Holidays
""", ["\\Draft", "\\Seen"], 5)
    long_body = "".join("Line %03d of a long report about nothing in particular.\n" % n for n in range(120))
    add("From: reports@example.com\nTo: alice@example.org\nSubject: Monthly report\n"
        "Date: Tue, 21 Nov 2023 12:00:00 +0000\nMessage-ID: <m7@example.com>\n\n" + long_body, [], 6)
    add("""From: Carol <carol@example.com>
To: alice@example.org
Bcc: archive@example.org
Subject: Lunch?
Date: Wed, 22 Nov 2023 11:11:11 +0000
Message-ID: <m8@example.com>

Lunch at noon?
""", ["\\Seen", "\\Flagged"], 7)
    add("""From: bob@example.net
To: alice@example.org
Subject: Attachment with a zip
Date: Thu, 23 Nov 2023 15:00:00 +0000
Message-ID: <m9@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=zz

--zz
Content-Type: text/plain

See attached.
--zz
Content-Type: application/zip
Content-Transfer-Encoding: base64

UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==
--zz--
""", [], 8)
    add("""From: alice@example.org
To: alice@example.org
Subject: Note to self
Date: Fri, 24 Nov 2023 20:00:00 +0000
Message-ID: <m10@example.org>

Remember the budget spreadsheet.
""", ["\\Seen", "\\Deleted"], 9)
    return messages


# ---------------------------------------------------------------------------------------
# Reading responses: a small tokenizer for IMAP response lines with literals.

class Atom(str):
    pass


def read_response(conn):
    """One whole response (literals inlined) from an imaplib connection, as bytes pieces:
    a list where each item is bytes of line text or ('literal', bytes)."""
    pieces = []
    while True:
        line = conn.readline()
        if not line:
            raise EOFError("connection closed")
        match = re.search(rb"~?\{(\d+)\}\r\n$", line)
        if match:
            pieces.append(line[:match.start()])
            pieces.append(("literal", conn.read(int(match.group(1)))))
            continue
        pieces.append(line.rstrip(b"\r\n"))
        return pieces


def tokenize(pieces):
    """Turns a response into a list of tokens: Atom, bytes (strings), None (NIL), list."""
    stack = [[]]
    for piece in pieces:
        if isinstance(piece, tuple):
            stack[-1].append(piece[1])
            continue
        i, n = 0, len(piece)
        while i < n:
            c = piece[i:i + 1]
            if c == b" ":
                i += 1
            elif c == b"(":
                stack.append([])
                i += 1
            elif c == b")":
                inner = stack.pop()
                stack[-1].append(inner)
                i += 1
            elif c == b'"':
                j, out = i + 1, bytearray()
                while j < n and piece[j:j + 1] != b'"':
                    if piece[j:j + 1] == b"\\":
                        j += 1
                    out += piece[j:j + 1]
                    j += 1
                stack[-1].append(bytes(out))
                i = j + 1
            else:
                # An atom; brackets inside one may hold spaces and parentheses
                # (BODY[HEADER.FIELDS (A B)]), but a response code's "[" opens no such span.
                j, depth = i, 0
                if c == b"[":
                    j, depth = i + 1, -1
                while j < n:
                    d = piece[j:j + 1]
                    if d == b"[" and depth >= 0:
                        depth += 1
                    elif d == b"]" and depth > 0:
                        depth -= 1
                    elif depth <= 0 and d in (b" ", b"(", b")"):
                        break
                    j += 1
                word = piece[i:j].decode("latin-1")
                stack[-1].append(None if word.upper() == "NIL" else Atom(word))
                i = j
    while len(stack) > 1:
        inner = stack.pop()
        stack[-1].append(inner)
    return stack[0]


def text_of(pieces):
    return b"".join(p if isinstance(p, bytes) else b"{literal}" for p in pieces).decode("latin-1")


# ---------------------------------------------------------------------------------------
# Normalisation.

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def utc_date(value):
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    m = re.match(r"\s*(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$", text)
    if not m:
        return "INVALID-DATE(%s)" % text
    day, mon, year, hh, mm, ss, sign, zh, zm = m.groups()
    moment = datetime.datetime(int(year), MONTHS.index(mon.capitalize()) + 1, int(day), int(hh), int(mm), int(ss))
    offset = datetime.timedelta(hours=int(zh), minutes=int(zm))
    moment = moment - offset if sign == "+" else moment + offset
    return moment.strftime("%d-%b-%Y %H:%M:%S +0000")


def expand_set(text):
    numbers = []
    for part in str(text).split(","):
        if ":" in part:
            a, b = part.split(":")
            a, b = int(a), int(b)
            numbers.extend(range(min(a, b), max(a, b) + 1))
        elif part:
            numbers.append(int(part))
    return numbers


def canonical_set(text):
    numbers = sorted(set(expand_set(text)))
    out, i = [], 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        out.append(str(numbers[i]) if i == j else "%d:%d" % (numbers[i], numbers[j]))
        i = j + 1
    return ",".join(out)


def show(token):
    """A canonical text for a token: strings quoted (JSON escapes), lists in parentheses."""
    if token is None:
        return "NIL"
    if isinstance(token, Atom):
        return str(token)
    if isinstance(token, bytes):
        return json.dumps(token.decode("latin-1"))
    if isinstance(token, list):
        return "(" + " ".join(show(t) for t in token) + ")"
    return str(token)


def flags_text(tokens):
    return "(" + " ".join(sorted((str(t) for t in tokens), key=str.lower)) + ")"


def normalise_code(tokens):
    """A response code `[...]` as tokens (the bracket atom split): normalised text or None."""
    if not tokens:
        return None
    name = str(tokens[0]).lstrip("[").rstrip("]").upper()
    args = tokens[1:]
    if name in ("CAPABILITY",):
        return "[CAPABILITY]"
    if name == "UIDVALIDITY":
        return "[UIDVALIDITY <uidvalidity>]"
    if name == "HIGHESTMODSEQ":
        return "[HIGHESTMODSEQ <modseq>]"
    if name == "APPENDUID" and len(args) >= 2:
        return "[APPENDUID <uidvalidity> %s]" % canonical_set(str(args[1]).rstrip("]"))
    if name == "COPYUID" and len(args) >= 3:
        return "[COPYUID <uidvalidity> %s %s]" % (canonical_set(str(args[1])), canonical_set(str(args[2]).rstrip("]")))
    if name == "MODIFIED" and args:
        return "[MODIFIED %s]" % canonical_set(str(args[0]).rstrip("]"))
    if name == "PERMANENTFLAGS" and args:
        return "[PERMANENTFLAGS %s]" % flags_text(args[0] if isinstance(args[0], list) else [])
    if name in ("UNSEEN", "UIDNEXT") and args:
        return "[%s %s]" % (name, str(args[0]).rstrip("]"))
    if args:
        return "[%s %s]" % (name, " ".join(show(a) for a in args).rstrip("]"))
    return "[%s]" % name


def split_code(tokens):
    """tokens after a status word: (code tokens or None, rest)."""
    if tokens and isinstance(tokens[0], Atom) and tokens[0].startswith("["):
        if tokens[0].endswith("]"):
            return [tokens[0]], tokens[1:]
        code = [tokens[0]]
        for k in range(1, len(tokens)):
            code.append(tokens[k])
            if isinstance(tokens[k], Atom) and tokens[k].endswith("]"):
                return code, tokens[k + 1:]
        return code, []
    return None, tokens


def normalise_fetch(number, items, keep_modseq=True):
    pairs = {}
    k = 0
    while k + 1 < len(items):
        key = str(items[k]).upper()
        value = items[k + 1]
        k += 2
        if key == "FLAGS":
            text = flags_text(value)
        elif key == "INTERNALDATE":
            text = json.dumps(utc_date(value))
        elif key == "MODSEQ":
            if not keep_modseq:
                continue
            text = "(<modseq>)"
        else:
            text = show(value)
        pairs[key] = text
    return "* %s FETCH (%s)" % (number, " ".join("%s %s" % (k, pairs[k]) for k in sorted(pairs)))


def normalise_untagged(tokens, pieces, info):
    """One untagged response: its normalised text, or None when it is not compared."""
    if len(tokens) < 2:
        return show(tokens)
    word = str(tokens[1]).upper()
    if word in ("OK", "NO", "BAD", "BYE", "PREAUTH"):
        code, _ = split_code(tokens[2:])
        if code is None:
            info.append(text_of(pieces))
            return None
        normalised = normalise_code(code)
        if normalised == "[CAPABILITY]":
            return None
        return "* %s %s" % (word, normalised)
    if word == "CAPABILITY":
        return None
    if word == "ID":
        info.append(text_of(pieces))
        return None
    if word == "FLAGS":
        return "* FLAGS %s" % flags_text(tokens[2] if len(tokens) > 2 and isinstance(tokens[2], list) else [])
    if word in ("SEARCH", "SORT"):
        numbers, modseq = [], ""
        for t in tokens[2:]:
            if isinstance(t, list):
                modseq = " (MODSEQ <modseq>)"
            else:
                numbers.append(int(t))
        return "* %s%s%s" % (word, "".join(" %d" % n for n in sorted(numbers)), modseq)
    if word == "ESEARCH":
        rest = tokens[2:]
        if rest and isinstance(rest[0], list):
            rest = rest[1:]  # (TAG "...")
        out = []
        k = 0
        while k < len(rest):
            name = str(rest[k]).upper()
            if name == "UID":
                out.append("UID")
                k += 1
                continue
            value = rest[k + 1] if k + 1 < len(rest) else ""
            if name == "ALL":
                out.append("ALL %s" % canonical_set(str(value)))
            elif name == "MODSEQ":
                out.append("MODSEQ <modseq>")
            else:
                out.append("%s %s" % (name, value))
            k += 2
        return "* ESEARCH " + " ".join(out)
    if word == "LIST" or word == "LSUB":
        attributes = flags_text(tokens[2]) if isinstance(tokens[2], list) else show(tokens[2])
        extra = " " + " ".join(show(t) for t in tokens[5:]) if len(tokens) > 5 else ""
        return "* %s %s %s %s%s" % (word, attributes, show(tokens[3]), show_name(tokens[4]), extra)
    if word == "STATUS":
        values = tokens[3] if len(tokens) > 3 and isinstance(tokens[3], list) else []
        pairs = {}
        for k in range(0, len(values) - 1, 2):
            name = str(values[k]).upper()
            pairs[name] = "<uidvalidity>" if name == "UIDVALIDITY" else "<modseq>" if name == "HIGHESTMODSEQ" else str(values[k + 1])
        return "* STATUS %s (%s)" % (show_name(tokens[2]), " ".join("%s %s" % (k, pairs[k]) for k in sorted(pairs)))
    if word == "QUOTAROOT":
        return "* QUOTAROOT %s%s" % (show_name(tokens[2]), " <root>" * (len(tokens) - 3))
    if word == "QUOTA":
        resources = tokens[3] if len(tokens) > 3 and isinstance(tokens[3], list) else []
        names = sorted(str(resources[k]).upper() for k in range(0, len(resources), 3))
        return "* QUOTA <root> (%s)" % " ".join(names)
    if word in ("NAMESPACE", "ENABLED"):
        return show(tokens)
    if word == "VANISHED":
        rest = tokens[2:]
        prefix = ""
        if rest and isinstance(rest[0], list):
            prefix = "(EARLIER) "
            rest = rest[1:]
        return "* VANISHED %s%s" % (prefix, canonical_set(str(rest[0])) if rest else "")
    if len(tokens) >= 3:
        kind = str(tokens[2]).upper()
        if kind == "FETCH":
            return normalise_fetch(str(tokens[1]), tokens[3] if len(tokens) > 3 and isinstance(tokens[3], list) else [])
        if kind in ("EXISTS", "RECENT", "EXPUNGE"):
            return "* %s %s" % (tokens[1], kind)
    return show(tokens)


def show_name(token):
    """A mailbox name as text: an atom and a quoted string name the same mailbox."""
    if token is None:
        return "NIL"
    value = token.decode("latin-1") if isinstance(token, bytes) else str(token)
    return json.dumps(value)


# ---------------------------------------------------------------------------------------
# Session A: imaplib's connection, commands sent by hand.

class Literal(bytes):
    pass


class Session:
    def __init__(self, config, transcript):
        self.config = config
        self.transcript = transcript
        self.count = 0
        self.client = None

    def connect(self, label):
        self.client = imaplib.IMAP4(self.config["host"], self.config["port"], timeout=120)
        caps = [c.upper() for c in self.client.capabilities]
        self.transcript.append({"step": label + ": plaintext capabilities", "status": "OK", "code": None,
                                "responses": ["STARTTLS" if "STARTTLS" in caps else "no STARTTLS"],
                                "info": [" ".join(sorted(caps))]})
        self.client.starttls(ssl_context=tls_context(self.config))
        self.transcript.append({"step": label + ": STARTTLS", "status": "OK", "code": None, "responses": [], "info": []})

    def command(self, step, *parts, expect="OK", label=None):
        """Sends one command (str parts joined by spaces, Literal parts as synchronising
        literals) and records its responses. Returns (status, code, responses, raw tokens)."""
        self.count += 1
        self.last_parts = parts
        tag = "T%03d" % self.count
        conn = self.client
        line = tag.encode()
        raw_responses = []
        for part in parts:
            if isinstance(part, Literal):
                conn.send(line + b" {%d}\r\n" % len(part))
                while True:
                    pieces = read_response(conn)
                    if pieces[0].startswith(b"+"):
                        break
                    raw_responses.append(pieces)
                    if pieces[0].startswith(tag.encode() + b" "):
                        # Refused before the literal (RFC 9051 section 7.5 allows it).
                        return self.finish(step, tag, raw_responses, expect)
                conn.send(bytes(part))
                line = b""
            else:
                line += b" " + (part.encode("utf-8") if isinstance(part, str) else part)
        conn.send(line + b"\r\n")
        return self.finish(step, tag, raw_responses, expect)

    def finish(self, step, tag, raw_responses, expect):
        conn = self.client
        status, code = None, None
        responses, info, tokens_list = [], [], []
        done = any(p[0].startswith(tag.encode() + b" ") for p in raw_responses)
        while not done:
            pieces = read_response(self.client)
            raw_responses.append(pieces)
            done = pieces[0].startswith(tag.encode() + b" ")
        word = parts_word(step_parts(self.last_parts))
        fetches = {}  # message number -> items, merged over the command's FETCH responses
        for pieces in raw_responses:
            tokens = tokenize(pieces)
            if pieces[0].startswith(tag.encode() + b" "):
                status = str(tokens[1]).upper() if len(tokens) > 1 else "?"
                code_tokens, _ = split_code(tokens[2:])
                code = normalise_code(code_tokens) if code_tokens else None
                if code == "[CAPABILITY]":
                    code = None
                info.append(text_of(pieces)[len(tag) + 1:])
                continue
            if not pieces[0].startswith(b"*"):
                continue
            tokens_list.append(tokens)
            if len(tokens) > 3 and str(tokens[2]).upper() == "FETCH" and isinstance(tokens[3], list):
                # RFC 9051 section 7.5.2: a server may send a message's data in several FETCH
                # responses (Dovecot sends MODSEQ apart from FLAGS): merged into one.
                if tokens[1] not in fetches:
                    fetches[tokens[1]] = []
                    responses.append(("fetch", tokens[1]))
                fetches[tokens[1]] += tokens[3]
                continue
            text = normalise_untagged(tokens, pieces, info)
            if text is None:
                continue
            if word not in ("SELECT", "EXAMINE") and (text.startswith("* FLAGS ") or text.startswith("* OK [PERMANENTFLAGS")):
                # A new keyword's FLAGS/PERMANENTFLAGS update is the server's choice outside
                # SELECT (RFC 9051 section 7.3.5 lets it send one at any time).
                info.append(text)
                continue
            responses.append(text)
        command_text = step_parts(self.last_parts).upper()
        keep_modseq = word != "FETCH" or "MODSEQ" in command_text or "CHANGEDSINCE" in command_text
        responses = [normalise_fetch(r[1], fetches[r[1]], keep_modseq) if isinstance(r, tuple) else r for r in responses]
        responses = normalise_expunges(responses)
        if word in ("LIST", "LSUB"):
            responses = sorted(list_attributes_asked(r, command_text) for r in responses)
        if word in ("SELECT", "EXAMINE"):
            responses.sort()
        if status in ("NO", "BAD") and code is not None:
            info.append("code " + code)
            code = "[TRYCREATE]" if code == "[TRYCREATE]" else "[BADCHARSET]" if code.startswith("[BADCHARSET") else None
        if expect is None:
            code = None
        record = {"step": step, "status": status, "code": code, "responses": responses, "info": info}
        if expect is None:
            record["statusFree"] = True
        if expect is not None and status != expect:
            record["unexpected"] = "expected %s" % expect
        self.transcript.append(record)
        return status, code, responses, tokens_list


def normalise_expunges(responses):
    """EXPUNGE responses of one command as the set of message numbers they removed, counted
    before the command: `* 8 EXPUNGE, * 2 EXPUNGE` and `* 2 EXPUNGE, * 7 EXPUNGE` remove the
    same messages (RFC 9051 section 7.5.1 fixes no order)."""
    out, positions, removed = [], list(range(1, 1_000_001)), []
    for text in responses:
        m = re.match(r"\* (\d+) EXPUNGE$", text)
        if m and int(m.group(1)) <= len(positions):
            removed.append(positions.pop(int(m.group(1)) - 1))
            if "* EXPUNGED" not in out:
                out.append("* EXPUNGED")
            continue
        out.append(text)
    return ["* EXPUNGE of %s" % canonical_set(",".join(map(str, removed))) if t == "* EXPUNGED" else t for t in out]


SPECIAL_USE = {"\\all", "\\archive", "\\drafts", "\\flagged", "\\junk", "\\sent", "\\trash"}


def list_attributes_asked(line, command_text):
    """A normalised LIST/LSUB line without the attributes the command did not ask for."""
    m = re.match(r"^(\* (?:LIST|LSUB) )\(([^)]*)\)(.*)$", line)
    if not m:
        return line
    kept = [a for a in m.group(2).split() if keep_list_attribute(a, command_text)]
    return "%s(%s)%s" % (m.group(1), " ".join(kept), m.group(3))


def keep_list_attribute(attribute, command_text):
    lower = attribute.lower()
    if lower in ("\\marked", "\\unmarked"):
        return False
    if lower in SPECIAL_USE:
        return "SPECIAL-USE" in command_text
    if lower in ("\\haschildren", "\\hasnochildren"):
        return "CHILDREN" in command_text
    return True


def step_parts(parts):
    return " ".join(p for p in parts if isinstance(p, str) and not isinstance(p, Literal))


def parts_word(text):
    words = text.split()
    if not words:
        return ""
    return (words[1] if words[0].upper() == "UID" and len(words) > 1 else words[0]).upper()


def tls_context(config):
    context = ssl.create_default_context(cafile=config["cafile"])
    return context


def fetch_values(tokens_list, key):
    """{uid or msn: value} of one FETCH item over the untagged responses of one command."""
    out = {}
    for tokens in tokens_list:
        if len(tokens) > 3 and str(tokens[2]).upper() == "FETCH" and isinstance(tokens[3], list):
            items = tokens[3]
            values = {str(items[k]).upper(): items[k + 1] for k in range(0, len(items) - 1, 2)}
            if key in values:
                out[int(values.get("UID", tokens[1]))] = values[key]
    return out


def header_fields(message, names):
    """The fields of `message`'s header named in `names`, in order, then the blank line
    (RFC 3501 section 6.4.5, HEADER.FIELDS); the corpus has no folded fields."""
    head = message.split(b"\r\n\r\n", 1)[0]
    lines = [l for l in head.split(b"\r\n") if l.split(b":", 1)[0].strip().lower() in names]
    return b"".join(l + b"\r\n" for l in lines) + b"\r\n"


def session_a(config, transcript):
    s = Session(config, transcript)
    messages = corpus()

    def check(name, condition, detail=""):
        """What the RFCs fix for the corpus, checked by the client (a failure is unexpected)."""
        record = {"step": "check: " + name, "status": "OK" if condition else "FAIL", "code": None, "responses": [],
                  "info": [detail] if detail else []}
        if not condition:
            record["unexpected"] = "check failed: %s" % detail
        transcript.append(record)

    def numbers(responses):
        out = []
        for r in responses:
            if r.startswith("* SEARCH"):
                out += [int(w) for w in r.split()[2:] if w.isdigit()]
        return out

    s.connect("A")
    c = s.command
    _, _, _, tokens = c("CAPABILITY", "CAPABILITY")
    caps = set(str(t).upper() for tokens_ in tokens for t in tokens_[2:] if len(tokens_) > 1 and str(tokens_[1]).upper() == "CAPABILITY")
    transcript.append({"step": "capabilities before login that the sessions use", "status": "OK", "code": None,
                       "responses": [w for w in ["IMAP4REV1", "AUTH=PLAIN", "SASL-IR", "ID", "ENABLE", "LITERAL+"] if w in caps],
                       "info": [" ".join(sorted(caps))]})
    check("no STARTTLS or LOGINDISABLED after STARTTLS", "STARTTLS" not in caps and "LOGINDISABLED" not in caps, repr(sorted(caps)))
    c("LOGIN", "LOGIN", config["user"], config["password"])
    c("ENABLE CONDSTORE", "ENABLE CONDSTORE")
    c("ID", 'ID ("name" "imap_session.py" "version" "1")')
    c("NAMESPACE", "NAMESPACE")
    c("LIST all", 'LIST "" "*"')
    c("LIST top level", 'LIST "" "%"')
    c("LIST INBOX", 'LIST "" INBOX')
    c("LIST reference", 'LIST "" ""')
    c("LSUB all", 'LSUB "" "*"')
    c("LIST (SPECIAL-USE)", 'LIST (SPECIAL-USE) "" "*"')
    c("LIST (SUBSCRIBED) RETURN (CHILDREN)", 'LIST (SUBSCRIBED) "" "*" RETURN (CHILDREN)')
    c("LIST RETURN (CHILDREN)", 'LIST "" "*" RETURN (CHILDREN)')
    c("LIST RETURN (STATUS)", 'LIST "" "%" RETURN (STATUS (MESSAGES UNSEEN))')
    c("LIST RETURN (SPECIAL-USE)", 'LIST "" "*" RETURN (SPECIAL-USE)')
    c("CREATE Projects", "CREATE Projects")
    c("CREATE Projects/2024", "CREATE Projects/2024")
    c("CREATE Scratch", "CREATE Scratch")
    c("CREATE existing", "CREATE Scratch", expect="NO")
    c("LIST Projects*", 'LIST "" "Projects*" RETURN (CHILDREN)')
    c("LIST Projects/%", 'LIST "" "Projects/%"')
    c("RENAME Scratch", "RENAME Scratch Scratch2")
    c("RENAME child", "RENAME Projects/2024 Projects/2025")
    c("RENAME missing", "RENAME Nowhere Elsewhere", expect="NO")
    c("LIST after RENAME", 'LIST "" "*" RETURN (CHILDREN SPECIAL-USE)')
    c("SUBSCRIBE", "SUBSCRIBE Projects")
    c("LSUB Pro*", 'LSUB "" "Pro*"')
    c("LIST (SUBSCRIBED) Pro*", 'LIST (SUBSCRIBED) "" "Pro*"')
    c("UNSUBSCRIBE", "UNSUBSCRIBE Projects")
    c("LSUB Pro* after UNSUBSCRIBE", 'LSUB "" "Pro*"')
    c("DELETE", "DELETE Scratch2")
    c("DELETE missing", "DELETE Scratch2", expect="NO")
    c("DELETE INBOX", "DELETE INBOX", expect="NO")
    c("LIST Scratch*", 'LIST "" "Scratch*"')
    c("STATUS INBOX", "STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE HIGHESTMODSEQ)")
    c("STATUS Projects", "STATUS Projects (MESSAGES UIDNEXT UNSEEN SIZE)")
    c("STATUS missing", "STATUS Nowhere (MESSAGES)", expect="NO")

    # Read-only first: nothing may change.
    c("EXAMINE INBOX", "EXAMINE INBOX")
    c("FETCH FLAGS read-only", "FETCH 1:* (FLAGS)")
    c("FETCH BODY[] on EXAMINE sets no \\Seen", "FETCH 2 (BODY[TEXT])")
    _, _, responses, _ = c("FETCH FLAGS after", "FETCH 2 (FLAGS)")
    check("EXAMINE: BODY[TEXT] set no \\Seen", responses == ["* 2 FETCH (FLAGS ())"], repr(responses))
    # RFC 9051 section 6.3.2 forbids the change, not an OK: Dovecot answers OK and ignores it.
    c("STORE on EXAMINE", "STORE 2 +FLAGS (\\Flagged)", expect=None)
    c("CLOSE after EXAMINE", "CLOSE")

    c("SELECT INBOX (CONDSTORE)", "SELECT INBOX (CONDSTORE)")
    _, _, _, tokens = c("FETCH metadata", "FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)")
    dates, sizes, flags = fetch_values(tokens, "INTERNALDATE"), fetch_values(tokens, "RFC822.SIZE"), fetch_values(tokens, "FLAGS")
    for uid, m in enumerate(messages, 1):
        want_date = datetime.datetime.fromtimestamp(m["date"], datetime.timezone.utc).strftime("%d-%b-%Y %H:%M:%S +0000")
        check("UID %d INTERNALDATE" % uid, uid in dates and utc_date(dates[uid]) == want_date, "%r" % dates.get(uid))
        check("UID %d RFC822.SIZE" % uid, uid in sizes and int(sizes[uid]) == len(m["bytes"]), "%r" % sizes.get(uid))
        got = sorted(str(f) for f in flags.get(uid, []) if str(f) != "\\Recent")
        check("UID %d FLAGS" % uid, got == sorted(m["flags"]), "%r" % got)
    c("FETCH ENVELOPE", "FETCH 1:* (ENVELOPE)")
    c("FETCH BODYSTRUCTURE", "FETCH 1:* (BODYSTRUCTURE)")
    c("FETCH BODY", "FETCH 1:* (BODY)")
    _, _, _, tokens = c("FETCH BODY.PEEK[]", "FETCH 1:* (BODY.PEEK[])")
    bodies = fetch_values(tokens, "BODY[]")
    check("BODY[] is every message byte for byte", [bodies.get(n) for n in range(1, 11)] == [m["bytes"] for m in messages])
    _, _, _, tokens = c("UID FETCH HEADER.FIELDS", "UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])")
    fields = fetch_values(tokens, "BODY[HEADER.FIELDS (FROM SUBJECT DATE)]")
    check("HEADER.FIELDS are the named fields in order",
          [fields.get(n) for n in range(1, 11)] == [header_fields(m["bytes"], (b"from", b"subject", b"date")) for m in messages])
    c("FETCH HEADER.FIELDS.NOT", "FETCH 1:3 (BODY.PEEK[HEADER.FIELDS.NOT (FROM SUBJECT DATE)])")
    c("FETCH HEADER and TEXT", "FETCH 4:5 (BODY.PEEK[HEADER] BODY.PEEK[TEXT])")
    c("FETCH parts", "FETCH 3 (BODY.PEEK[1] BODY.PEEK[1.1] BODY.PEEK[1.2.MIME] BODY.PEEK[2.MIME] BODY.PEEK[2])")
    c("FETCH embedded message parts", "FETCH 5 (BODY.PEEK[1] BODY.PEEK[1.HEADER] BODY.PEEK[1.TEXT])")
    c("FETCH RFC822.SIZE RFC822.HEADER", "FETCH 6 (RFC822.SIZE RFC822.HEADER)")
    c("FETCH BODY[1]<0.100> sets \\Seen", "FETCH 2 (BODY[1]<0.100>)")
    _, _, responses, _ = c("FETCH FLAGS after BODY[1]", "FETCH 2 (FLAGS)")
    check("BODY[1]<0.100> set \\Seen", responses == ["* 2 FETCH (FLAGS (\\Seen))"], repr(responses))
    c("FETCH partial past the end", "FETCH 7 (BODY.PEEK[]<5000.100> BODY.PEEK[TEXT]<10.20>)")
    c("FETCH BINARY.PEEK[2] base64", "FETCH 3 (BINARY.PEEK[2] BINARY.SIZE[2])")
    c("FETCH BINARY.PEEK[1] quoted-printable", "FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[1])")
    c("FETCH BINARY.PEEK[2] zip", "FETCH 9 (BINARY.PEEK[2])")
    c("FETCH macros", "FETCH 1 FAST")
    c("FETCH ALL macro", "FETCH 1 ALL")
    c("FETCH out of range", "FETCH 99 (FLAGS)", expect=None)
    c("UID FETCH missing UID", "UID FETCH 99 (FLAGS)")
    _, _, _, tokens = c("FETCH MODSEQ", "FETCH 1:* (MODSEQ)")
    modseqs = {int(t[1]): int(fetch_values([t], "MODSEQ").popitem()[1][0]) for t in tokens
               if len(t) > 3 and str(t[2]).upper() == "FETCH"}

    # STORE.
    c("STORE +FLAGS", "STORE 3 +FLAGS (\\Flagged $Label1)")
    c("STORE -FLAGS", "STORE 3 -FLAGS (\\Flagged)")
    c("STORE +FLAGS.SILENT", "STORE 4 +FLAGS.SILENT (\\Answered $Label1)")
    c("STORE FLAGS replace", "STORE 6 FLAGS (\\Seen $Label2)")
    c("FETCH FLAGS after STORE", "FETCH 3:6 (FLAGS)")
    _, _, _, tokens = c("FETCH MODSEQ after STORE", "FETCH 3:6 (UID MODSEQ)")
    after = {int(t[1]): int(fetch_values([t], "MODSEQ").popitem()[1][0]) for t in tokens
             if len(t) > 3 and str(t[2]).upper() == "FETCH"}
    # RFC 7162 section 3.1.1: a change raises the message's MODSEQ; message 5 was not stored.
    check("MODSEQ rose for the stored messages only",
          all(after.get(n, 0) > modseqs.get(n, 0) for n in (3, 4, 6)) and after.get(5) == modseqs.get(5),
          "%r -> %r" % (modseqs, after))
    _, _, _, tokens = c("UID FETCH 7 MODSEQ", "FETCH 7 (UID MODSEQ)")
    uid7 = list(fetch_values(tokens, "MODSEQ").items())
    if uid7:
        uid, modseq = uid7[0][0], int(uid7[0][1][0])
        c("UID STORE UNCHANGEDSINCE current", "UID STORE %d (UNCHANGEDSINCE %d) +FLAGS (\\Seen)" % (uid, modseq))
        _, code, _, _ = c("UID STORE UNCHANGEDSINCE stale", "UID STORE %d (UNCHANGEDSINCE %d) +FLAGS (\\Deleted)" % (uid, modseq))
        check("UNCHANGEDSINCE older than the message: MODIFIED", code == "[MODIFIED %d]" % uid, repr(code))
        c("STORE UNCHANGEDSINCE 0 on two", "STORE 7:8 (UNCHANGEDSINCE 0) -FLAGS (\\Seen)")
    c("FETCH FLAGS 7:8", "FETCH 7:8 (FLAGS)")

    # SEARCH: one key at a time, then combinations.
    results = {}
    for key in ["ALL", "SEEN", "UNSEEN", "FLAGGED", "UNFLAGGED", "ANSWERED", "UNANSWERED", "DRAFT", "UNDRAFT",
                "DELETED", "UNDELETED", "RECENT", "NEW", "OLD", "KEYWORD $Label1", "UNKEYWORD $Label1",
                "FROM bob", "FROM \"Alice Example\"", "TO alice@example.org", "CC carol", "BCC archive",
                "SUBJECT budget", "SUBJECT \"Re: Budget\"", "BODY budget", "TEXT budget", "TEXT photos",
                "HEADER Message-ID \"<m3@example.com>\"", "HEADER List-Id weekly", "HEADER In-Reply-To \"\"",
                "LARGER 1000", "SMALLER 400", "SINCE 18-Nov-2023", "BEFORE 18-Nov-2023", "ON 19-Nov-2023",
                "SENTSINCE 18-Nov-2023 HEADER Date \"\"", "SENTBEFORE 17-Nov-2023 HEADER Date \"\"",
                "SENTON 22-Nov-2023 HEADER Date \"\"", "UID 2:4", "2:4",
                "5:*", "NOT SEEN", "OR FLAGGED DRAFT", "(FROM bob SUBJECT budget)", "NOT (FROM alice)",
                "OR (SEEN FLAGGED) (UNSEEN LARGER 1000)", "SUBJECT nothing-matches-this"]:
        _, _, responses, _ = c("SEARCH " + key, "SEARCH " + key)
        results[key] = numbers(responses)
        c("UID SEARCH " + key, "UID SEARCH " + key)
    # What RFC 3501 section 6.4.4 makes of the corpus as the STOREs above left it.
    expected = {"FROM bob": [2, 9], "SUBJECT budget": [1, 2], "TEXT budget": [1, 2, 5, 6, 10], "BODY budget": [1, 5, 6, 10],
                "SINCE 18-Nov-2023": list(range(4, 11)), "BEFORE 18-Nov-2023": [1, 2, 3], "ON 19-Nov-2023": [5],
                "LARGER 1000": [7], "UID 2:4": [2, 3, 4], "5:*": list(range(5, 11)), "KEYWORD $Label1": [3, 4], "DELETED": [10],
                "HEADER Message-ID \"<m3@example.com>\"": [3], "BCC archive": [8], "OR FLAGGED DRAFT": [8],
                "NOT (FROM alice)": [2, 3, 4, 5, 7, 8, 9], "SENTON 22-Nov-2023 HEADER Date \"\"": [8],
                "SENTBEFORE 17-Nov-2023 HEADER Date \"\"": [1, 2], "SUBJECT nothing-matches-this": []}
    for key, want in expected.items():
        check("SEARCH " + key, results.get(key) == want, repr(results.get(key)))
    _, _, responses, _ = c("SEARCH CHARSET UTF-8", "SEARCH CHARSET UTF-8 SUBJECT", Literal("Grüße".encode("utf-8")))
    check("SEARCH CHARSET UTF-8 SUBJECT finds the encoded word", numbers(responses) == [4], repr(responses))
    c("SEARCH CHARSET UTF-8 body", "SEARCH CHARSET UTF-8 BODY", Literal("Grüße".encode("utf-8")))
    c("SEARCH bad charset", "SEARCH CHARSET X-UNKNOWN ALL", expect="NO")
    c("SEARCH MODSEQ", "SEARCH MODSEQ %d" % (max(modseqs.values()) + 1 if modseqs else 1))
    c("SEARCH ESEARCH MIN MAX COUNT", "SEARCH RETURN (MIN MAX COUNT) ALL")
    c("UID SEARCH ESEARCH ALL", "UID SEARCH RETURN (ALL) FLAGGED")
    c("SEARCH ESEARCH empty RETURN", "SEARCH RETURN () UNSEEN")
    c("SEARCH ESEARCH COUNT none", "SEARCH RETURN (COUNT) SUBJECT nothing-matches-this")
    c("SEARCH ESEARCH MIN none", "SEARCH RETURN (MIN) SUBJECT nothing-matches-this")
    c("SEARCH bad key", "SEARCH NOSUCHKEY", expect="BAD")

    # APPEND with flags and a date, to the selected mailbox and to another.
    appended = crlf("From: appender@example.org\nTo: alice@example.org\nSubject: Appended with flags\n"
                    "Message-ID: <appended@example.org>\n\nAppended by the script.\n")
    _, code, _, _ = c("APPEND with flags and date", 'APPEND INBOX (\\Seen $Label2) "14-Jul-2024 10:20:30 +0200"', Literal(appended))
    check("APPENDUID is UIDNEXT", code == "[APPENDUID <uidvalidity> 11]", repr(code))
    _, _, _, tokens = c("FETCH appended", "FETCH 11 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
    check("appended: bytes, date, flags", fetch_values(tokens, "BODY[]").get(11) == appended
          and utc_date(fetch_values(tokens, "INTERNALDATE").get(11, b"")) == "14-Jul-2024 08:20:30 +0000"
          and {"\\Seen", "$Label2"} <= set(map(str, fetch_values(tokens, "FLAGS").get(11, []))))
    # \Recent (RFC 3501 section 2.3.2): the APPEND into the selected mailbox is recent here.
    c("SEARCH RECENT after APPEND", "SEARCH RECENT")
    c("SEARCH NEW after APPEND", "SEARCH NEW")
    c("UID SEARCH OLD after APPEND", "UID SEARCH OLD")
    c("APPEND to Projects", 'APPEND Projects (\\Flagged) "01-Feb-2024 00:00:00 -0800"', Literal(appended))
    c("APPEND without flags or date", "APPEND Trash", Literal(appended))
    c("APPEND to missing", 'APPEND Nowhere', Literal(appended), expect="NO")
    c("CHECK", "CHECK")
    c("NOOP", "NOOP")

    # COPY and MOVE.
    _, code, _, _ = c("COPY", "COPY 1:2 Projects")
    check("COPYUID pairs the UIDs", code == "[COPYUID <uidvalidity> 1:2 2:3]", repr(code))
    c("UID COPY", "UID COPY 8 Projects")
    c("COPY to missing", "COPY 1 Nowhere", expect="NO")
    c("MOVE", "MOVE 3 Projects")
    c("UID MOVE", "UID MOVE 9 Projects")
    c("FETCH after MOVE", "FETCH 1:* (UID FLAGS)")
    c("STATUS Projects after COPY and MOVE", "STATUS Projects (MESSAGES UIDNEXT UNSEEN SIZE)")

    # EXPUNGE.
    c("STORE \\Deleted", "STORE 2 +FLAGS.SILENT (\\Deleted)")
    c("UID EXPUNGE one", "UID EXPUNGE 2")
    c("FETCH after UID EXPUNGE", "FETCH 1:* (UID FLAGS)")
    c("EXPUNGE", "EXPUNGE")
    c("FETCH after EXPUNGE", "FETCH 1:* (UID FLAGS)")
    c("GETQUOTAROOT", "GETQUOTAROOT INBOX")
    c("UNSELECT", "UNSELECT")
    c("FETCH without selection", "FETCH 1 (FLAGS)", expect="BAD")

    # Projects got an APPEND, COPYs and MOVEs while no session had it selected: all recent,
    # for the first SELECT; EXAMINE sees them without claiming.
    c("STATUS Projects RECENT", "STATUS Projects (MESSAGES RECENT)")
    c("EXAMINE Projects", "EXAMINE Projects")
    c("FETCH FLAGS on EXAMINE Projects", "FETCH 1:* (FLAGS)")
    c("SEARCH RECENT on EXAMINE Projects", "SEARCH RECENT")
    c("UNSELECT after EXAMINE Projects", "UNSELECT")
    c("SELECT Projects", "SELECT Projects")
    c("FETCH Projects", "FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
    c("SEARCH NEW in Projects", "SEARCH NEW")
    c("SEARCH OLD in Projects", "SEARCH OLD")
    c("STORE \\Deleted in Projects", "STORE 1 +FLAGS (\\Deleted)")
    c("CLOSE expunges silently", "CLOSE")
    _, _, responses, _ = c("STATUS Projects after CLOSE", "STATUS Projects (MESSAGES UIDNEXT)")
    check("CLOSE expunged the \\Deleted message", responses == ['* STATUS "Projects" (MESSAGES 5 UIDNEXT 7)'], repr(responses))
    # Claimed by the SELECT above: recent no more.
    c("SELECT Projects again", "SELECT Projects")
    c("FETCH FLAGS Projects again", "FETCH 1:* (FLAGS)")
    c("UNSELECT Projects", "UNSELECT")
    c("LOGOUT", "LOGOUT")
    try:
        s.client.shutdown()
    except Exception:
        pass


# ---------------------------------------------------------------------------------------
# Session B: imapclient's calls; IDLE while a third connection appends and expunges.

def session_b(config, transcript):
    def record(step, responses, info=None, status="OK"):
        transcript.append({"step": step, "status": status, "code": None, "responses": responses, "info": info or []})

    b = IMAPClient(config["host"], port=config["port"], ssl=False, timeout=120)
    b.starttls(tls_context(config))
    record("B: STARTTLS", [])
    b.plain_login(config["user"], config["password"])
    record("B: AUTHENTICATE PLAIN", [])
    caps = set(c.decode().upper() for c in b.capabilities())
    wanted = ["IMAP4REV1", "ID", "ENABLE", "IDLE", "NAMESPACE", "UIDPLUS", "UNSELECT", "CONDSTORE",
              "ESEARCH", "LIST-EXTENDED", "LIST-STATUS", "STATUS=SIZE", "MOVE", "QUOTA", "BINARY", "SPECIAL-USE", "CHILDREN",
              "LITERAL+"]
    record("B: capabilities after login that the sessions use", [w for w in wanted if w in caps], [" ".join(sorted(caps))])
    record("B: ID", [], [repr(b.id_({"name": "imapclient"}))])
    record("B: ENABLE CONDSTORE", [repr(sorted(x.decode() for x in b.enable("CONDSTORE")))])
    ns = b.namespace()
    record("B: NAMESPACE", [repr(ns.personal)])
    folders = sorted((sorted(x.decode() for x in f if keep_list_attribute(x.decode(), "")), d.decode(), n) for f, d, n in b.list_folders())
    record("B: list_folders", [repr(f) for f in folders])
    record("B: list_sub_folders", [repr(sorted(n for _, _, n in b.list_sub_folders()))])
    status = b.folder_status("INBOX", ["MESSAGES", "UIDNEXT", "UNSEEN"])
    record("B: folder_status", [repr(sorted((k.decode(), v) for k, v in status.items()))])
    selected = b.select_folder("INBOX")
    record("B: select_folder", ["EXISTS %s" % selected.get(b"EXISTS"),
                                "FLAGS %s" % sorted(f.decode().lower() for f in selected.get(b"FLAGS", ()))])
    uids = b.search(["NOT", "DELETED"])
    record("B: search NOT DELETED", [repr(sorted(uids))])
    record("B: search FROM", [repr(sorted(b.search(["FROM", "carol"])))])
    record("B: search SINCE", [repr(sorted(b.search(["SINCE", datetime.date(2023, 11, 20)])))])
    fetched = b.fetch(uids, ["FLAGS", "RFC822.SIZE", "ENVELOPE", "BODY.PEEK[]"])
    lines = []
    for uid in sorted(fetched):
        item = fetched[uid]
        env = item[b"ENVELOPE"]
        lines.append("%d flags=%s size=%d subject=%r from=%r body=%s" % (
            uid, sorted(f.decode().lower() for f in item[b"FLAGS"]), item[b"RFC822.SIZE"], env.subject,
            [(a.mailbox, a.host) for a in (env.from_ or ())], base64.b64encode(item[b"BODY[]"]).decode()))
    record("B: fetch ENVELOPE and BODY[]", lines)
    quota = b.get_quota_root("INBOX")
    roots, quotas = quota
    record("B: get_quota_root", ["%s roots=%d" % (roots.mailbox, len(roots.quota_roots)),
                                 "resources=%s" % sorted(q.resource.upper() for q in quotas)], [repr(quota)])

    # IDLE: a third connection appends a message; B's IDLE must report it.
    b.idle()
    record("B: IDLE", [])
    appender = imaplib.IMAP4(config["host"], config["port"], timeout=120)
    appender.starttls(ssl_context=tls_context(config))
    appender.login(config["user"], config["password"])
    message = crlf("From: idler@example.org\nSubject: Arrives while idle\n\nHello.\n")
    typ, _ = appender.append("INBOX", None, imaplib.Time2Internaldate(1_700_000_000), message)
    record("C: APPEND while B idles", [], status=typ)
    events, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline and not any(e[1] == b"EXISTS" for e in events if len(e) > 1):
        events += b.idle_check(timeout=5)
    saw = sorted("%s %s" % (e[0], e[1].decode()) for e in events if len(e) > 1 and e[1] == b"EXISTS")
    record("B: IDLE saw EXISTS", saw, status="OK" if saw else "FAIL")
    if not saw:
        transcript[-1]["unexpected"] = "IDLE reported no EXISTS within 60 s"
    b.idle_done()
    record("B: DONE", [])
    # B had INBOX selected when the message arrived and was told of it: recent in B only.
    record("B: search RECENT after IDLE", [repr(sorted(b.search(["RECENT"])))])

    # An EXPUNGE in C shows in B at its next command.
    typ, _ = appender.select("INBOX")
    record("C: SELECT INBOX after B was told", ["RECENT %r" % (appender.response("RECENT")[1],)], status=typ)
    typ, data = appender.uid("SEARCH", "RECENT")
    record("C: UID SEARCH RECENT", [repr(data)], status=typ)
    typ, data = appender.uid("SEARCH", "SUBJECT", '"Arrives while idle"')
    new_uid = data[0].split()[-1]
    appender.uid("STORE", new_uid, "+FLAGS.SILENT", "(\\Deleted)")
    typ, _ = appender.uid("EXPUNGE", new_uid)
    record("C: UID EXPUNGE of the new message", [], status=typ)
    appender.logout()
    # The other session's change reaches B's session on its own time (a mailbox event): B
    # sends NOOP until it is told, for up to 30 s, and the count of NOOPs is recorded, not
    # compared.
    seen, noops, deadline = [], 0, time.monotonic() + 30
    while not any(x.endswith("EXPUNGE") for x in seen) and time.monotonic() < deadline:
        noops += 1
        noop = b.noop()
        seen += sorted("%s %s" % (e[0], e[1].decode()) for e in noop[1]
                       if isinstance(e, tuple) and len(e) > 1 and e[1] in (b"EXPUNGE", b"EXISTS"))
        if not any(x.endswith("EXPUNGE") for x in seen):
            time.sleep(0.2)
    record("B: NOOP after C's EXPUNGE", seen, ["NOOPs sent: %d" % noops],
           status="OK" if any(x.endswith("EXPUNGE") for x in seen) else "FAIL")
    if transcript[-1]["status"] != "OK":
        transcript[-1]["unexpected"] = "the other session's EXPUNGE did not show at NOOP"
    b.move(uids[:1], "Projects")
    record("B: move", [])
    record("B: search after move", [repr(sorted(b.search(["ALL"])))])
    b.logout()
    record("B: LOGOUT", [])


def main():
    if sys.argv[1] == "corpus":
        print(json.dumps([{"bytes": base64.b64encode(m["bytes"]).decode(), "flags": m["flags"], "date": m["date"]}
                          for m in corpus()]))
        return
    config = json.load(open(sys.argv[2]))
    transcript = []
    try:
        session_a(config, transcript)
        session_b(config, transcript)
    except Exception as error:  # the transcript so far, and what stopped it
        transcript.append({"step": "script failed", "status": "ERROR", "code": None,
                           "responses": [type(error).__name__ + ": " + str(error)], "info": [], "unexpected": "exception"})
    print(json.dumps(transcript, indent=1))


if __name__ == "__main__":
    main()
