"""aiosmtpd on a loopback address that records what it receives: the SMTP server peer of
the CommunityMailSMTP, MemberSync and MailForwarder interop tests.

Usage: aiosmtpd_recorder.py PORT FOLDER [--host HOST] [--mode MODE] [--smtputf8] [--decoded]
           [--cert CERT --key KEY [--implicit-tls] [--tls12-only] [--require-starttls]]

--host: the address to listen on (default 127.0.0.1; any 127.x address, so several peers
  can share one port, or ::1).
--mode (default byname):
  byname: a recipient whose local part starts with "refuse" (so also "refused"), or whose
    domain is reject.test, gets 550 5.1.1 with the address in the text, as Postfix words it;
    one starting with "defer" (so also "deferred") gets 451 4.2.0; one starting with
    "greylisted" gets 451 4.7.1 the first time this peer sees it and is taken afterwards
    (greylisting). The other recipients of the same message are taken.
  accept: takes every recipient.
  rcpt451 / rcpt550: answers every RCPT with 451 4.3.0 / 550 5.1.1 (and records nothing).
  greet421: greets every connection with 421 and closes it (a plain socket server).
  silent: accepts connections and never says anything (holds them until it stops).
  Each refusal is printed ("refused RCPT with 451", "greeted with 421", "holding a
  connection"), so a test can see it was asked.
--smtputf8: offer SMTPUTF8 (RFC 6531).
--decoded: also record the subject, From, body and X-CommunityMail-Notice as Python's
  email package decodes them.
--cert/--key: offer STARTTLS (RFC 3207) with that certificate chain and key (plaintext stays
  allowed unless --require-starttls), or with --implicit-tls speak TLS from the first byte
  (RFC 8314); --tls12-only refuses anything newer than TLS 1.2.

Each accepted message is written as FOLDER/NNNNN.eml (the content as received, after
dot-unstuffing) and FOLDER/NNNNN.json (host, mail_from, rcpt_tos, mail_options, whether TLS
was on, and with --decoded subject, from, body, notice), the JSON last so that its presence
means "complete". Prints "listening" once it accepts connections; stops on SIGTERM.
"""
import argparse
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import threading

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, host, folder, mode, decoded):
        self.host = host
        self.folder = folder
        self.mode = mode
        self.decoded = decoded
        self.count = 0
        self.lock = threading.Lock()
        self.seen = set()

    def refusal(self, address):
        """The reply refusing `address` in this mode, or None to take it."""
        if self.mode == "rcpt451":
            return "451 4.3.0 try again later"
        if self.mode == "rcpt550":
            return "550 5.1.1 no such user"
        if self.mode != "byname":
            return None
        if address.startswith("refuse") or address.lower().endswith("@reject.test"):
            return "550 5.1.1 <%s>: Recipient address rejected" % address
        if address.startswith("defer"):
            return "451 4.2.0 try again later"
        if address.startswith("greylisted"):
            with self.lock:
                first = address not in self.seen
                self.seen.add(address)
            if first:
                return "451 4.7.1 greylisted, try again later"
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refusal(address)
        if reply is not None:
            print("refused RCPT with", reply[:3], flush=True)
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            base = os.path.join(self.folder, "%05d" % self.count)
        raw = envelope.original_content
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        record = {
            "host": self.host,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            # session.ssl is set by STARTTLS; implicit TLS shows on the transport.
            "tls": session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None,
        }
        if self.decoded:
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            record.update({
                "subject": str(parsed["subject"]),
                "from": str(parsed["from"]),
                "body": parsed.get_content(),
                "notice": str(parsed["x-communitymail-notice"]),
            })
        with open(base + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(base + ".tmp", base + ".json")
        return "250 2.0.0 accepted"


def plain_server(host, port, stop, silent):
    """greet421 and silent: what aiosmtpd cannot be made to do."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    listener.settimeout(0.2)
    held = []
    print("listening", flush=True)
    while not stop.is_set():
        try:
            connection, _ = listener.accept()
        except socket.timeout:
            continue
        if silent:
            held.append(connection)
            print("holding a connection", flush=True)
            continue
        try:
            connection.sendall(b"421 4.3.2 service not available, closing\r\n")
            print("greeted with 421", flush=True)
        finally:
            connection.close()
    for connection in held:
        connection.close()
    listener.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--mode", default="byname", choices=["byname", "accept", "rcpt451", "rcpt550", "greet421", "silent"])
    parser.add_argument("--smtputf8", action="store_true")
    parser.add_argument("--decoded", action="store_true")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--tls12-only", action="store_true")
    parser.add_argument("--require-starttls", action="store_true")
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.mode in ("greet421", "silent"):
        plain_server(args.host, args.port, stop, silent=args.mode == "silent")
        return
    options = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.tls12_only:
            context.maximum_version = ssl.TLSVersion.TLSv1_2
        if args.implicit_tls:
            options["ssl_context"] = context
        else:
            options["tls_context"] = context
            options["require_starttls"] = args.require_starttls
    controller = Controller(Recorder(args.host, args.folder, args.mode, args.decoded), hostname=args.host, port=args.port,
                            enable_SMTPUTF8=args.smtputf8, decode_data=False, **options)
    controller.start()
    print("listening", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
