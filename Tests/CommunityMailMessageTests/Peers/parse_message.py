"""Parses an RFC 5322 message with Python's standard email package (run by
CommunityMailMessageTests, OutgoingMessageTests) and prints what it read as JSON, so the
encoder is checked against an independent parser, not against our own."""
import json
import sys
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

with open(sys.argv[1], "rb") as handle:
    message = BytesParser(policy=policy.default).parse(handle)

sender = message["From"]
print(json.dumps({
    "subject": str(message["Subject"]),
    "from_name": sender.addresses[0].display_name,
    "from_address": sender.addresses[0].addr_spec,
    "to": [address.addr_spec for address in message["To"].addresses],
    "notice": str(message["X-CommunityMail-Notice"]),
    "date": parsedate_to_datetime(str(message["Date"])).timestamp(),
    "body": message.get_content(),
    "defects": [type(defect).__name__ for defect in message.defects]
              + [type(defect).__name__ for name in message.keys() for defect in message[name].defects],
    "bcc": message["Bcc"] is not None,
}))
