"""The commands ``make run`` prints, and its index page shows, that take a draft all
the way through the local API: create, edit, validate, publish, next version, list."""

from __future__ import annotations

import json
import shlex

# The walkthrough's draft: incomplete as created (its email names no template), then
# completed by the edit, which replaces its nodes.
_DRAFT = {
    "name": "Welcome series",
    "nodes": [{"id": "start", "type": "contact-subscribed"}, {"id": "hello", "type": "send-email"}],
    "edges": [{"id": "e1", "source": "start", "target": "hello"}],
}
_EDIT = {
    "nodes": [
        {"id": "start", "type": "contact-subscribed"},
        {"id": "hello", "type": "send-email", "data": {"templateId": "tpl_hello"}},
    ]
}
_EDITED = {**_DRAFT, **_EDIT}


def _json(value: object) -> str:
    return shlex.quote(json.dumps(value, separators=(",", ":")))


WALKTHROUGH = (
    "create a draft (its email names no template yet), edit it with the ETag the create "
    "answered (giving the email its template), validate what it holds, publish it, start "
    "its next version, and list the workspace"
)


def walkthrough(base_url: str, token: str) -> list[str]:
    """Shell commands (sh, bash or zsh), one a line, that take a draft all the way (see
    ``WALKTHROUGH``). ``token`` is the right-hand side of ``TOKEN=``, pasted as is: a
    quoted token, or a command that prints one. Each answer's body is printed on a line
    of its own; there are no comment lines, which zsh runs as commands when pasted.

    The create's body goes to stderr, its Location and ETag to a variable: curl reopens
    /dev/stderr, so stderr must be a terminal or a pipe, not a file."""
    auth = '-H "Authorization: Bearer $TOKEN"'
    content = "-H 'Content-Type: application/json'"
    return [
        f"TOKEN={token}",
        f"API={base_url}",
        f"ANSWER=$(curl -sS -o /dev/stderr -w '%header{{location}} %header{{etag}}' -X POST \"$API/v1/automations\" "
        f"{auth} {content} -d {_json(_DRAFT)}); echo",
        'AUTOMATION="$API${ANSWER% *}"; ETAG="${ANSWER#* }"',
        f'curl -sS -X PATCH "$AUTOMATION" {auth} -H "If-Match: $ETAG" {content} -d {_json(_EDIT)} -w \'\\n\'',
        f"curl -sS -X POST \"$API/v1/automations/validate\" {auth} {content} -d {_json(_EDITED)} -w '\\n'",
        f"curl -sS -X POST \"$AUTOMATION/publish\" {auth} -w '\\n'",
        f"curl -sS -X POST \"$AUTOMATION/versions\" {auth} -w '\\n'",
        f"curl -sS \"$API/v1/automations\" {auth} -w '\\n'",
    ]
