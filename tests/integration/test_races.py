"""Races among Lambda containers (processes) against one shared server: the
embedded DynamoDB, one request at a time, and dynalite (``tests/races.py``).

Every change is one conditional write: of the requests that name the same state
with ``If-Match``, exactly one changes it, and the others answer 412."""

from __future__ import annotations

import json
import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from automations.item import from_item, revision_of
from automations_local.events import http_api_event
from tests.helpers import Answer, claims_for, patch_event
from tests.races import Containers, Server, racing, request, rounds

DRAFT = {"name": "Welcome", "nodes": [{"id": "a", "type": "send-email", "position": {"x": 0, "y": 0}}]}


def create(containers: Containers, server: Server, workspace: str) -> Answer:
    """A new draft in ``workspace``, made by the create function of one container."""
    [created] = containers.race(
        server, [request(http_api_event(json.dumps(DRAFT), claims=claims_for(workspace)))]
    )
    assert created.status == 201, created.body
    return created


def edit(automation_id: str, workspace: str, name: str, if_match: str) -> dict[str, Any]:
    return patch_event(automation_id, {"name": name}, workspace, if_match=if_match)


def stored(server: Server, workspace: str) -> tuple[dict[str, Any], int]:
    """The workspace's one automation as stored, and its revision."""
    [item] = server.tables().items_of(workspace)
    return from_item(item), revision_of(item)


def test_eight_patches_with_one_etag_make_exactly_one_change(
    containers: Containers, race_server: Server
) -> None:
    # Given a draft and the ETag its create answered
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    created = create(containers, race_server, workspace)
    automation_id = created.body["id"]
    _, revision = stored(race_server, workspace)

    # When eight containers patch it at once, each with a name of its own and that ETag
    names = [f"edit {i}" for i in range(8)]
    answers = containers.race(
        race_server,
        [request(edit(automation_id, workspace, name, created.headers["etag"])) for name in names],
    )

    # Then exactly one changed it; the seven others were told the state they named is gone
    assert sorted(answer.status for answer in answers) == [200] + [412] * 7, [a.body for a in answers]
    [winner] = [answer for answer in answers if answer.status == 200]
    assert {answer.error_code for answer in answers if answer is not winner} == {"precondition_failed"}
    # and what is stored is the winner's change, one revision on, under the ETag it answered
    automation, now = stored(race_server, workspace)
    assert now == revision + 1
    assert automation == winner.body
    assert automation["name"] == names[answers.index(winner)]
    assert winner.headers["etag"] not in {created.headers["etag"]} | {
        a.headers.get("etag") for a in answers if a is not winner
    }


# A round: for each of its simultaneous requests, whether its If-Match names the
# current state (True) or one that was current before (False).
ROUNDS = rounds(st.booleans())


@racing
@given(rounds=ROUNDS)
def test_rounds_of_simultaneous_patches_change_the_draft_at_most_once_each(
    containers: Containers, race_server: Server, rounds: list[list[bool]]
) -> None:
    # Given a draft, edited once so that an ETag of a state now gone is at hand
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    created = create(containers, race_server, workspace)
    automation_id = created.body["id"]
    [first] = containers.race(
        race_server, [request(edit(automation_id, workspace, "first", created.headers["etag"]))]
    )
    assert first.status == 200, first.body
    stale, current = created.headers["etag"], first.headers["etag"]
    automation, revision = stored(race_server, workspace)

    for number, round_ in enumerate(rounds):
        # When the round's requests patch it at once
        names = [f"round {number} edit {i}" for i in range(len(round_))]
        tags = [current if fresh else stale for fresh in round_]
        answers = containers.race(
            race_server,
            [request(edit(automation_id, workspace, n, t)) for n, t in zip(names, tags, strict=True)],
        )

        # Then one request that named the current state changed it, if any did; every
        # other request answered 412 and no request answered anything else
        winners = [i for i, answer in enumerate(answers) if answer.status == 200]
        assert len(winners) == (1 if any(round_) else 0), [a.status for a in answers]
        assert all(round_[i] for i in winners)
        assert {answers[i].error_code for i in range(len(answers)) if i not in winners} <= {
            "precondition_failed"
        }
        # and the store holds exactly the winner's change, one revision on, or is untouched
        after, now = stored(race_server, workspace)
        if winners:
            [winner] = winners
            assert (now, after, after["name"]) == (revision + 1, answers[winner].body, names[winner])
            stale, current = current, answers[winner].headers["etag"]
        else:
            assert (now, after) == (revision, automation)
        automation, revision = after, now
