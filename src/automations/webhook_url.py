"""Webhook URLs, judged as WHATWG's URL Standard parses them (browsers, and Node's
fetch, which sends the product's webhooks), by hand: a conformant parser (ada-url)
would add a compiled dependency to every function for the few rules that matter
here, and its aarch64 wheel needs a newer Linux than the functions' build
platform. Where this is stricter than WHATWG it says so; it never accepts a URL
that WHATWG's parser refuses.
"""

from __future__ import annotations

import ipaddress
import re

# An ASCII host name: letters, digits, "-", ".", "_", "~" (stricter than WHATWG, which
# also takes "!", "$", "%"-escapes and more).
_HOST_NAME = re.compile(r"[A-Za-z0-9._~\-]+")
# What may sit between an IPv6 address's brackets: hex pieces, colons, and the dots of
# an embedded IPv4 address; no zone id ("%25eth0"), no "v1.fe" future form.
_IPV6_TEXT = re.compile(r"[0-9A-Fa-f:.]+")
_AUTHORITY_END = re.compile(r"[/?#]")
_PORT_MAX = 65535


def _ipv4_number(part: str) -> int | None:
    """WHATWG's IPv4 number parser: "0x" or "0X" and hex digits (none is 0), "0" and
    octal digits, or decimal digits; None when it is none of these."""
    if part[:2].lower() == "0x":
        digits, base = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if not digits:
        return 0 if base != 10 else None
    allowed = "0123456789abcdefABCDEF"[: base + (6 if base == 16 else 0)]
    if not all(ch in allowed for ch in digits):
        return None
    return int(digits, base)


def _ends_in_a_number(labels: list[str]) -> bool:
    """WHATWG's "ends in a number": the last label (a trailing empty one dropped) is
    decimal digits or an IPv4 number; such a host must then be an IPv4 address."""
    last = labels[-1] if labels[-1] or len(labels) == 1 else labels[-2]
    return bool(last) and ((last.isascii() and last.isdigit()) or _ipv4_number(last) is not None)


def _is_ipv4(labels: list[str]) -> bool:
    """WHATWG's IPv4 parser: one to four numbers ("127.1", "0x7f.0.0.1", "2130706433"
    are 127.0.0.1), every one but the last below 256 and the last filling the rest of
    the 32 bits. "256.256.256.256" and "1.2.3.4.5" are failures, not host names."""
    parts = labels[:-1] if len(labels) > 1 and not labels[-1] else labels
    if len(parts) > 4:
        return False
    numbers = [_ipv4_number(part) if part else None for part in parts]
    if any(number is None for number in numbers):
        return False
    *leading, last = [number for number in numbers if number is not None]
    return all(number < 256 for number in leading) and last < 256 ** (5 - len(parts))


def _is_ipv6(text: str) -> bool:
    """What WHATWG's IPv6 parser takes: eight 16-bit pieces, "::" once, an IPv4 address
    in the last 32 bits in plain decimal; no zone id."""
    if not _IPV6_TEXT.fullmatch(text):
        return False
    try:
        ipaddress.IPv6Address(text)  # refuses "01.2.3.4" in the IPv4 part, as WHATWG does
    except ValueError:
        return False
    return True


def _host_name(host: str) -> str | None:
    """The host, as WHATWG's parser reads a name: a non-ASCII name is encoded (IDNA,
    whose mappings turn full-width digits into ASCII ones), then a name that ends in a
    number must be an IPv4 address. None if it is no valid host."""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")  # stricter than UTS 46: labels of 63 at most
        except UnicodeError:
            return None
    if not _HOST_NAME.fullmatch(host):
        return None
    labels = host.split(".")
    if _ends_in_a_number(labels) and not _is_ipv4(labels):
        return None
    return host.lower()


def webhook_host(value: str) -> str | None:
    """The host of an absolute http or https URL as a browser reads it, or None when it
    is not one. Stricter than WHATWG: no space or control character anywhere (WHATWG
    strips some and drops others), and exactly "//" after the scheme (WHATWG also
    reads "http:host" and skips any run of slashes and backslashes there). As in WHATWG, a backslash is a slash in these schemes: the host of
    "http://example.com\\@evil.com" is example.com, its path "/@evil.com"."""
    if not value.isprintable() or " " in value:  # isprintable: no control or separator but " "
        return None
    scheme, colon, rest = value.partition(":")
    if not colon or scheme.lower() not in ("http", "https"):
        return None
    rest = rest.replace("\\", "/")
    if not rest.startswith("//"):
        return None
    authority = _AUTHORITY_END.split(rest[2:], maxsplit=1)[0]
    host_and_port = authority.rpartition("@")[2]  # the userinfo ends at the last "@"
    if host_and_port.startswith("["):
        address, bracket, port_part = host_and_port[1:].partition("]")
        if not bracket or not _is_ipv6(address) or (port_part and port_part[0] != ":"):
            return None
        host: str | None = f"[{address.lower()}]"
        port = port_part[1:]
    else:
        name, _, port = host_and_port.partition(":")
        host = _host_name(name) if name else None
    digits = port.lstrip("0")
    if port and not (
        port.isascii() and port.isdigit() and len(digits) <= 5 and int(digits or 0) <= _PORT_MAX
    ):
        return None
    return host


def is_absolute_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http or https URL with a host, as ``webhook_host``
    judges it."""
    return webhook_host(value) is not None
