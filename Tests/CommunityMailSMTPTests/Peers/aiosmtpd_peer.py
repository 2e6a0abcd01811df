"""aiosmtpd on a loopback port for CommunityMailSMTP's interop tests.

Usage: aiosmtpd_peer.py PORT FOLDER [--smtputf8] [--cert CERT --key KEY [--implicit-tls] [--tls12-only]]

With a certificate, STARTTLS is offered (RFC 3207), or with --implicit-tls the server
speaks TLS from the first byte (RFC 8314). Each accepted message is written as
FOLDER/NNNNN.eml (the content as received, after aiosmtpd's dot-unstuffing) and
FOLDER/NNNNN.json (envelope, MAIL parameters, whether TLS was on), the JSON last so that
its presence means "complete". A recipient whose local part starts with "refused" gets
550 5.1.1 and one starting with "deferred" gets 451 4.2.1 (to test per-recipient replies).
"""
import argparse
import json
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller


class Saver:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 5.1.1 no such user"
        if address.startswith("deferred"):
            return "451 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            base = os.path.join(self.folder, "%05d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            # session.ssl is set by STARTTLS; implicit TLS shows on the transport.
            "tls": session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None,
        }
        with open(base + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(base + ".tmp", base + ".json")
        return "250 2.0.0 accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("folder")
    parser.add_argument("--smtputf8", action="store_true")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--tls12-only", action="store_true")
    args = parser.parse_args()
    options = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.tls12_only:
            context.maximum_version = ssl.TLSVersion.TLSv1_2
        options["ssl_context" if args.implicit_tls else "tls_context"] = context
    controller = Controller(Saver(args.folder), hostname="127.0.0.1", port=args.port, enable_SMTPUTF8=args.smtputf8,
                            decode_data=False, **options)
    controller.start()
    print("listening", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
