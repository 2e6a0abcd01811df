"""aiosmtpd on a loopback port as the next hop in MailForwarder's relay tests.

Usage: aiosmtpd_sink.py PORT FOLDER

Accepts every message (SMTPUTF8 on) and writes FOLDER/NNNNN.eml (the content as received,
dot-unstuffed) and FOLDER/NNNNN.json (mail_from, rcpt_tos), the JSON last so that its
presence means "complete". Recipients whose local part starts with "defer" get 451, those
starting with "refuse" get 550, and those starting with "greylisted" get 451 the first time
the sink sees them and are accepted afterwards (greylisting).
"""
import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()
        self.seen = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("defer"):
            return "451 4.2.0 try again later"
        if address.startswith("greylisted"):
            with self.lock:
                first = address not in self.seen
                self.seen.add(address)
            if first:
                return "451 4.7.1 greylisted, try again later"
        if address.startswith("refuse"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            base = os.path.join(self.folder, "%05d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        os.rename(base + ".tmp", base + ".json")
        return "250 2.0.0 accepted"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port, enable_SMTPUTF8=True, decode_data=False)
    controller.start()
    print("listening", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
