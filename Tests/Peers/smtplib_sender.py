"""Python's smtplib as the sending client or MTA: the client of CommunityMailSMTP's server
session tests and the sending MTA of MailForwarder's loopback tests.

Usage: smtplib_sender.py PORT SENDER RECIPIENT[,RECIPIENT...] MESSAGE_FILE [--starttls CA_FILE]

Sends the file's bytes as one message to 127.0.0.1:PORT as sender.test (EHLO, [STARTTLS,
EHLO,] MAIL, RCPT, DATA, QUIT); with --starttls it verifies the server's chain against
CA_FILE and the name 127.0.0.1. Prints "tls VERSION" after STARTTLS, "refused RECIPIENT
CODE" for each refused recipient, then "sent" or "error: NAME CODE". The bytes go as they
are: smtplib fixes line ends only in str messages.
"""
import smtplib
import ssl
import sys


def main():
    port, sender, recipients, path = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(","), sys.argv[4]
    with open(path, "rb") as f:
        content = f.read()
    try:
        with smtplib.SMTP("127.0.0.1", port, local_hostname="sender.test", timeout=120) as client:
            if sys.argv[5:6] == ["--starttls"]:
                client.starttls(context=ssl.create_default_context(cafile=sys.argv[6]))
                print("tls", client.sock.version(), flush=True)
            refused = client.sendmail(sender, recipients, content)
            for address, (code, _) in sorted(refused.items()):
                print("refused", address, code)
        print("sent", flush=True)
    except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
        print("error:", type(error).__name__, getattr(error, "smtp_code", ""), flush=True)


if __name__ == "__main__":
    main()
