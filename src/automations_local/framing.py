"""How ``make run`` reads a request body off the wire, as API Gateway would take it:
a Content-Length or a chunked body, bounded by the gateway's 10 MB request limit
while reading (never more than the limit is held), and broken framing refused once
with 400 instead of hanging or answering twice."""

from __future__ import annotations

import re
from io import BufferedIOBase

from automations_local.gateway import MAX_PAYLOAD

_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
_FIELD = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+:")  # a trailer field line starts "name:"
_LINE_LIMIT = 8192  # a chunk-size line (extensions too) or a trailer field line, CRLF included
_TRAILER_LIMIT = 100  # trailer fields, as http.client bounds header fields
# The bytes of chunk-size lines (their extensions included) in one body. Each chunk
# holds a byte at least, so the count of chunks is bounded by MAX_PAYLOAD already; this
# bounds what a client can make the server read besides (10 million 8 KB extensions
# would be 80 GB). A real client's framing is a few bytes per chunk of kilobytes.
_FRAMING_LIMIT = 1024 * 1024


class Refused(Exception):
    """A body the gateway does not take: 400 when its framing is broken, 413 when it
    is over ``MAX_PAYLOAD``. Either way the connection closes after the answer: where
    the body ends can no longer be trusted."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def content_length(fields: list[str]) -> int:
    """The one length that every Content-Length field and list member says (RFC 9110
    8.6): digits only, so no sign and no blank; one value however often it is repeated."""
    members = [member.strip() for field in fields for member in field.split(",")]
    if not all(_DIGITS.fullmatch(member) for member in members):
        raise Refused(400)
    values = {member.lstrip("0") or "0" for member in members}  # compared as text: no int() of 5,000 digits
    if len(values) > 1:
        raise Refused(400)
    (value,) = values
    if len(value) > len(str(MAX_PAYLOAD)) or int(value) > MAX_PAYLOAD:
        raise Refused(413)
    return int(value)


def framing(transfer_encodings: list[str], lengths: list[str]) -> int | None:
    """How the body is delimited: its Content-Length, or None for chunked. Only
    ``chunked`` is decoded; a Transfer-Encoding beside a Content-Length is refused,
    not guessed at (RFC 9112 6.3 allows either; guessing is how requests are smuggled)."""
    codings = [
        coding.strip().lower()
        for field in transfer_encodings
        for coding in field.split(",")
        if coding.strip()
    ]
    if codings:
        if codings != ["chunked"] or lengths:
            raise Refused(400)
        return None
    return content_length(lengths) if lengths else 0


def _line(rfile: BufferedIOBase) -> bytes:
    """One CRLF-terminated line of chunked framing, without its CRLF. A bare LF or CR,
    a line over ``_LINE_LIMIT`` or a client that stops mid-line is broken framing."""
    line = rfile.readline(_LINE_LIMIT)
    if not line.endswith(b"\r\n") or b"\r" in line[:-2]:
        raise Refused(400)
    return line[:-2]


def chunked(rfile: BufferedIOBase) -> bytes:
    """A chunked body (RFC 9112 7.1): chunk extensions and trailer fields are read and
    dropped; each chunk's size is checked against ``MAX_PAYLOAD`` before a byte of it
    is read, so no more than the limit is ever held."""
    body = bytearray()
    framing_read = 0
    while True:
        line = _line(rfile)
        framing_read += len(line) + 4  # its CRLF, and the CRLF after the chunk's data
        if framing_read > _FRAMING_LIMIT:
            raise Refused(413)
        size = line.split(b";", 1)[0].rstrip(b" \t")  # chunk-ext after ";", BWS before it
        if not _HEX.fullmatch(size):
            raise Refused(400)
        length = int(size, 16)
        if length == 0:
            break
        if len(body) + length > MAX_PAYLOAD:
            raise Refused(413)
        body += rfile.read(length)  # short only at EOF, and then no CRLF follows
        if rfile.read(2) != b"\r\n":
            raise Refused(400)
    for _ in range(_TRAILER_LIMIT + 1):
        field = _line(rfile)
        if not field:
            return bytes(body)
        if not _FIELD.match(field):
            raise Refused(400)
    raise Refused(400)


def read_body(rfile: BufferedIOBase, transfer_encodings: list[str], lengths: list[str]) -> bytes:
    """The request body, or Refused."""
    length = framing(transfer_encodings, lengths)
    if length is None:
        return chunked(rfile)
    body = rfile.read(length)
    if len(body) < length:  # the client ended its side before its body ended
        raise Refused(400)
    return body
