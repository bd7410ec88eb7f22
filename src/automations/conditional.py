"""Entity tags and conditional requests (RFC 9110, 8.8.3 and 13.1).

An automation's ETag names one stored state of it: the digest of its id and its
``revision``, a number every write of the item raises by one (``item.py``). So it
changes whenever the stored automation changes, stays the same while it does not,
and is never the same for two automations: a client that sends one automation's
tag to another finds it matches nothing.

``If-Match`` compares strongly: a weak tag never matches. ``If-None-Match`` compares
weakly. A header that is not a list of entity tags (or ``*`` alone) matches
nothing, which for ``If-Match`` means 412: a malformed precondition never lets a
change through.
"""

from __future__ import annotations

import hashlib
import re

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text
_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')
_SEPARATOR = re.compile(r"[ \t]*,[ \t]*")


def etag(automation_id: str, revision: int) -> str:
    """The strong entity tag of one stored state of an automation, quotes included."""
    digest = hashlib.sha256(f"{automation_id}\n{revision}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def _tags(header: str) -> list[tuple[bool, str]] | None:
    """``header``'s entity tags as (weak, tag with quotes), or None when it is not a
    list of entity tags (empty members, as RFC 9110's list rule allows, are skipped)."""
    tags = []
    for member in _SEPARATOR.split(header.strip(" \t")):
        if not member:
            continue
        found = _TAG.fullmatch(member)
        if found is None:
            return None
        tags.append((found[1] is not None, f'"{found[2]}"'))
    return tags or None


def if_match(header: str, current: str) -> bool:
    """Whether an ``If-Match`` header lets a change of the automation whose tag is
    ``current`` go through: ``*`` alone, or a strong tag equal to it."""
    if header.strip(" \t") == "*":
        return True
    tags = _tags(header)
    return tags is not None and any(not weak and tag == current for weak, tag in tags)


def if_none_match(header: str, current: str) -> bool:
    """Whether an ``If-None-Match`` header names ``current`` (weakly), or is ``*``:
    then a GET answers 304."""
    if header.strip(" \t") == "*":
        return True
    tags = _tags(header)
    return tags is not None and any(tag == current for _, tag in tags)
