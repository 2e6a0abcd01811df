"""An SMTP relay on loopback that answers STARTTLS with its 220 *and*, in the same
write, plaintext replies a man in the middle could inject (the STARTTLS command
injection of RFC 3207 section 4.2's warning). A client that keeps those bytes reads them
as the TLS session's replies and falls out of step; one that discards them delivers.

Usage: starttls_injection_peer.py PORT FOLDER CERT KEY [--endless-greeting]

With --endless-greeting it only ever sends `220-` continuation lines instead.

Writes FOLDER/delivered once a message was accepted over TLS. Python's standard library
only (socket, ssl): aiosmtpd cannot be made to misbehave this way.
"""
import os
import signal
import socket
import ssl
import sys
import threading


def lines(stream):
    buffer = b""
    while True:
        while b"\r\n" not in buffer:
            chunk = stream.recv(4096)
            if not chunk:
                return
            buffer += chunk
        line, buffer = buffer.split(b"\r\n", 1)
        yield line


def serve(connection, folder, context, endless):
    if endless:
        while True:
            connection.sendall(b"220-relay.test keeps talking\r\n" * 64)
    connection.sendall(b"220 relay.test ESMTP\r\n")
    plain = lines(connection)
    if not next(plain, b"").upper().startswith(b"EHLO"):
        return
    connection.sendall(b"250-relay.test\r\n250 STARTTLS\r\n")
    if next(plain, b"").upper() != b"STARTTLS":
        return
    # The 220 and the injected replies leave in one segment.
    connection.sendall(b"220 2.0.0 ready\r\n250-injected\r\n250 AUTH PLAIN\r\n250 2.1.0 ok\r\n")
    secure = context.wrap_socket(connection, server_side=True)
    replies = {b"EHLO": b"250-relay.test\r\n250 8BITMIME\r\n", b"MAIL": b"250 2.1.0 ok\r\n", b"RCPT": b"250 2.1.5 ok\r\n",
               b"DATA": b"354 go ahead\r\n", b"QUIT": b"221 bye\r\n"}
    stream = lines(secure)
    for line in stream:
        verb = line[:4].upper()
        secure.sendall(replies.get(verb, b"500 5.5.1 unknown\r\n"))
        if verb == b"DATA":
            for body in stream:
                if body == b".":
                    break
            # Recorded before the reply: the client may look for the file as soon as it
            # has the 250.
            with open(os.path.join(folder, "delivered"), "w") as f:
                f.write("yes")
            secure.sendall(b"250 2.0.0 accepted\r\n")
        if verb == b"QUIT":
            break


def main():
    port, folder, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    endless = "--endless-greeting" in sys.argv[5:]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(4)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    def accept():
        while True:
            connection, _ = listener.accept()
            def run(connection=connection):
                try:
                    serve(connection, folder, context, endless)
                except (OSError, ssl.SSLError):
                    pass
                finally:
                    connection.close()
            threading.Thread(target=run, daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    print("listening", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
