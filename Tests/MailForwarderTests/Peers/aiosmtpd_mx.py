"""A recipient domain's mail exchanger for DirectMXRelay's tests: aiosmtpd on HOST:PORT
(any 127.x address, so several MX hosts share one port).

Usage: aiosmtpd_mx.py HOST PORT FOLDER [--mode accept|greet421|silent|rcpt451|rcpt550|byname] [--tls CERT KEY]

accept: takes every message and writes FOLDER/NNNNN.eml (the content as received) and
FOLDER/NNNNN.json (host, mail_from, rcpt_tos, whether STARTTLS was used), the JSON last.
greet421: greets every connection with 421 and closes it (a plain socket server).
silent: accepts connections and never says anything (holds them until it stops).
rcpt451 / rcpt550: answers every RCPT with 451 4.3.0 / 550 5.1.1 (and records nothing).
byname: as accept, but a recipient whose local part starts with "refused" gets 550 5.1.1 and
one starting with "deferred" gets 451 4.3.0 (the others of the same message are taken).
Refusals are printed ("greeted with 421", "refused RCPT with 451"), so a test can see it was asked.
--tls offers STARTTLS with that certificate chain and key (plaintext stays allowed).
Prints "listening" once it accepts connections; stops on SIGTERM.
"""
import argparse
import json
import os
import signal
import socket
import ssl
import threading

from aiosmtpd.controller import Controller


class MX:
    def __init__(self, host, folder, mode):
        self.host = host
        self.folder = folder
        self.mode = mode
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "rcpt451":
            print("refused RCPT with 451", flush=True)
            return "451 4.3.0 try again later"
        if self.mode == "rcpt550":
            print("refused RCPT with 550", flush=True)
            return "550 5.1.1 no such user"
        if self.mode == "byname" and address.startswith("refused"):
            print("refused RCPT with 550", flush=True)
            return "550 5.1.1 no such user"
        if self.mode == "byname" and address.startswith("deferred"):
            print("refused RCPT with 451", flush=True)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            base = os.path.join(self.folder, "%05d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        record = {"host": self.host, "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "tls": session.ssl is not None}
        with open(base + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(base + ".tmp", base + ".json")
        return "250 2.0.0 accepted"


def plain_server(host, port, stop, silent):
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
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("folder")
    parser.add_argument("--mode", default="accept", choices=["accept", "greet421", "silent", "rcpt451", "rcpt550", "byname"])
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    arguments = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if arguments.mode in ("greet421", "silent"):
        plain_server(arguments.host, arguments.port, stop, silent=arguments.mode == "silent")
        return
    parameters = {}
    if arguments.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(arguments.tls[0], arguments.tls[1])
        parameters = {"tls_context": context, "require_starttls": False}
    controller = Controller(MX(arguments.host, arguments.folder, arguments.mode), hostname=arguments.host,
                            port=arguments.port, enable_SMTPUTF8=True, decode_data=False, **parameters)
    controller.start()
    print("listening", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
