"""aiosmtpd on a loopback port for CommunityMailSMTP's interop tests.

Usage: aiosmtpd_peer.py PORT FOLDER [--smtputf8]

Each accepted message is written as FOLDER/NNNNN.eml (the content as received, after
aiosmtpd's dot-unstuffing) and FOLDER/NNNNN.json (envelope and MAIL parameters), the JSON
last so that its presence means "complete".
"""
import argparse
import json
import os
import signal
import threading

from aiosmtpd.controller import Controller


class Saver:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

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
    args = parser.parse_args()
    controller = Controller(Saver(args.folder), hostname="127.0.0.1", port=args.port, enable_SMTPUTF8=args.smtputf8,
                            decode_data=False)
    controller.start()
    print("listening", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
