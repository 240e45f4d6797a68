"""Parses one mail from stdin with Python's own e-mail parser and prints what the tests check, as JSON.

Independent of the Node side (nodemailer writes the mail, smtp-server receives it): the standard
library's BytesParser with policy.default, the modern parser that decodes RFC 2047 words and
records every defect it meets.
"""
import email.policy
import json
import sys
from email.parser import BytesParser

message = BytesParser(policy=email.policy.default).parsebytes(sys.stdin.buffer.read())


def part_info(part):
    return {
        "contentType": part.get_content_type(),
        "charset": part.get_content_charset(),
        "transferEncoding": part.get("Content-Transfer-Encoding"),
        "filename": part.get_filename(),
        "defects": [type(d).__name__ for d in part.defects],
    }


def header_info(name):
    values = message.get_all(name) or []
    out = []
    for value in values:
        info = {"value": str(value), "defects": [type(d).__name__ for d in getattr(value, "defects", [])]}
        if hasattr(value, "addresses"):
            info["addresses"] = [a.addr_spec for a in value.addresses]
        if hasattr(value, "datetime") and value.datetime is not None:
            info["datetime"] = value.datetime.isoformat()
        out.append(info)
    return out


plain = message.get_body(preferencelist=("plain",))
html = message.get_body(preferencelist=("html",))
alternatives = [p for p in message.walk() if p.get_content_type() == "multipart/alternative"]
names = ["From", "To", "Subject", "Date", "Message-ID", "Reply-To", "Auto-Submitted", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version"]

print(
    json.dumps(
        {
            "contentType": message.get_content_type(),
            "defects": [type(d).__name__ for d in message.defects],
            "headers": {name: header_info(name) for name in names},
            "parts": [part_info(p) for p in message.walk()],
            "alternative": [[part_info(c) for c in a.iter_parts()] for a in alternatives],
            "text": plain.get_content() if plain is not None else None,
            "html": html.get_content() if html is not None else None,
            "attachments": [{"filename": a.get_filename(), "contentType": a.get_content_type(), "size": len(a.get_content())} for a in message.iter_attachments()],
        },
        ensure_ascii=False,
    )
)
