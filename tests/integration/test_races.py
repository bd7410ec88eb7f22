"""Races among Lambda containers (processes) against one shared server: the
embedded DynamoDB, one request at a time, and dynalite (``tests/races.py``).

Every change is one conditional write: of the requests that name the same state
with ``If-Match``, exactly one changes it, and the others answer 412. The changes of
a family's state (publish, the next version, archive, delete) are transactions,
which dynalite lacks: they race on the embedded DynamoDB alone, with edits among
them, and the family's invariants hold after every round."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automations.conditional import etag
from automations.item import from_item, revision_of
from automations.routes import ARCHIVE, DELETE, DELETION, GET, PUBLISH, VERSIONS, WRITE
from automations_local.events import http_api_event
from tests.helpers import (
    Answer,
    assert_family_invariants,
    automations_of,
    claims_for,
    patch_event,
    state_event,
)
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


# The family's races: transactions, so on the embedded DynamoDB alone.
ON_MOTO = pytest.mark.parametrize("race_server", ["moto"], indirect=True)
# A draft that can be published, and stays so whatever name an edit gives it.
FLOW = {
    "name": "Welcome series",
    "trigger": {"type": "contact.subscribed", "config": {}},
    "nodes": [
        {"id": "t", "type": "contact-subscribed"},
        {"id": "m", "type": "send-email", "data": {"templateId": "tpl"}},
    ],
    "edges": [{"id": "e", "source": "t", "target": "m"}],
}


def one(containers: Containers, server: Server, event: dict[str, Any], status: int) -> Answer:
    """``event`` sent by one container, answered ``status``."""
    [answer] = containers.race(server, [request(event)])
    assert answer.status == status, answer.body
    return answer


def published_root(containers: Containers, server: Server, workspace: str) -> str:
    """A new family in ``workspace``: its root, created and published; its id."""
    created = one(containers, server, http_api_event(json.dumps(FLOW), claims=claims_for(workspace)), 201)
    root: str = created.body["id"]
    one(containers, server, state_event(PUBLISH, root, workspace), 200)
    return root


@ON_MOTO
def test_eight_processes_making_the_next_version_make_exactly_one(
    containers: Containers, race_server: Server
) -> None:
    # Given a published automation
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    root = published_root(containers, race_server, workspace)

    # When eight containers ask for its next version at once
    answers = containers.race(race_server, [request(state_event(VERSIONS, root, workspace))] * 8)

    # Then one made it; the seven others answered draft_exists naming the one made
    assert sorted(a.status for a in answers) == [201] + [409] * 7, [a.body for a in answers]
    [made] = [a for a in answers if a.status == 201]
    location = GET.path_with(automationId=made.body["id"])
    assert made.headers["location"] == location
    assert {(a.error_code, a.headers.get("location")) for a in answers if a is not made} == {
        ("draft_exists", location)
    }
    # and the family holds exactly that one DRAFT, version 2, beside its root
    stored = automations_of(race_server.tables(), workspace)
    assert set(stored) == {root, made.body["id"]}
    assert {k: v for k, v in stored[made.body["id"]].items() if k != "deleted"} == made.body
    assert (made.body["status"], made.body["version"], made.body["parentId"]) == ("DRAFT", 2, root)
    assert stored[root]["status"] == "PUBLISHED"
    assert_family_invariants(race_server.tables(), workspace)


@ON_MOTO
def test_six_processes_publishing_one_new_version_all_answer_it_published_once(
    containers: Containers, race_server: Server
) -> None:
    # Given a published automation and its next version, a draft
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    root = published_root(containers, race_server, workspace)
    draft = one(containers, race_server, state_event(VERSIONS, root, workspace), 201).body["id"]

    # When six containers publish the draft at once, without If-Match
    answers = containers.race(race_server, [request(state_event(PUBLISH, draft, workspace))] * 6)

    # Then all answered 200 with the same automation, published, and the same ETag
    assert [a.status for a in answers] == [200] * 6, [a.body for a in answers]
    assert all(a.body == answers[0].body for a in answers)
    assert {a.headers["etag"] for a in answers} == {etag(draft, 2)}  # one write of the draft
    assert (answers[0].body["id"], answers[0].body["status"]) == (draft, "PUBLISHED")
    # and the family has that one PUBLISHED version; the root, published before, is ARCHIVED
    stored = automations_of(race_server.tables(), workspace)
    assert {k: v for k, v in stored[draft].items() if k != "deleted"} == answers[0].body
    assert {i: a["status"] for i, a in stored.items()} == {root: "ARCHIVED", draft: "PUBLISHED"}
    assert_family_invariants(race_server.tables(), workspace)


# What a round of the family's race may send: a route (an edit, or a change of state),
# the version it names (as the round starts: the family's DRAFT, its PUBLISHED, one
# of its ARCHIVED or deleted versions, or any version where there is none such, the
# index choosing among them), and its If-Match: none, the version's current ETag, or
# the ETag of a state of it that is gone.
ACTIONS = ("publish", "versions", "archive", "delete", "edit")
ROLES = ("DRAFT", "PUBLISHED", "ARCHIVED", "deleted")
TAGS = (None, "current", "stale")
Sent = tuple[str, str, int, str | None]  # action, role, index, tag
FAMILY_ROUNDS = rounds(
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ROLES), st.integers(0, 7), st.sampled_from(TAGS)),
    most=4,
)
# What each may answer. No 422: the family's versions can all be published. No 5xx.
ANSWERS = {
    "publish": {200, 404, 409, 412},
    "versions": {201, 404, 409},
    "archive": {200, 404, 409, 412},
    "delete": {204, 404, 409, 412},
    "edit": {200, 404, 409, 412, 428},
}


def version_in(family: dict[str, dict[str, Any]], role: str, index: int) -> str:
    """The id of a version of ``family`` (its stored automations by id) in ``role``."""
    ids = sorted(family, key=lambda i: int(family[i]["version"]))
    deleted = [i for i in ids if family[i]["deleted"]]
    of_role = (
        deleted if role == "deleted" else [i for i in ids if i not in deleted and family[i]["status"] == role]
    )
    candidates = of_role or ids
    return candidates[index % len(candidates)]


def if_match(tag: str | None, automation_id: str, revision: int) -> str | None:
    """The If-Match a round sends for ``tag``, of an automation at ``revision``."""
    if tag is None:
        return None
    return etag(automation_id, revision if tag == "current" else revision - 1)


def family_request(
    action: str, automation_id: str, workspace: str, if_match: str | None, name: str
) -> Callable[[], Answer]:
    if action == "edit":
        return request(patch_event(automation_id, {"name": name}, workspace, if_match=if_match))
    route, scope = {
        "publish": (PUBLISH, WRITE),
        "versions": (VERSIONS, WRITE),
        "archive": (ARCHIVE, WRITE),
        "delete": (DELETION, DELETE),
    }[action]
    return request(state_event(route, automation_id, workspace, scope=scope, if_match=if_match))


@ON_MOTO
@settings(racing, max_examples=12)  # each example is a family and up to four rounds
@given(drafting=st.booleans(), rounds=FAMILY_ROUNDS)
def test_rounds_of_random_changes_racing_on_one_family_keep_its_invariants(
    containers: Containers, race_server: Server, drafting: bool, rounds: list[list[Sent]]
) -> None:
    # Given a family: its root published, a version 2 deleted, a version 3 a draft
    # (``drafting``), or published (and the root archived)
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    root = published_root(containers, race_server, workspace)
    second = one(containers, race_server, state_event(VERSIONS, root, workspace), 201).body["id"]
    one(containers, race_server, state_event(DELETION, second, workspace, scope=DELETE), 204)
    third = one(containers, race_server, state_event(VERSIONS, root, workspace), 201).body["id"]
    if not drafting:
        one(containers, race_server, state_event(PUBLISH, third, workspace), 200)
    tables = race_server.tables()

    for number, round_ in enumerate(rounds):
        # When the round's requests, each on a version of the family, are sent at once
        before = automations_of(tables, workspace)
        revisions = {
            item["id"]["S"]: revision_of(item)
            for item in tables.items_of(workspace)
            if item["id"]["S"] in before
        }
        targets = [version_in(before, role, index) for _, role, index, _ in round_]
        calls = [
            family_request(
                action,
                target,
                workspace,
                if_match(tag, target, revisions[target]),
                f"round {number} edit {i}",
            )
            for i, ((action, _, _, tag), target) in enumerate(zip(round_, targets, strict=True))
        ]
        answers = containers.race(race_server, calls)

        # Then each answered what its route may answer, never a 5xx
        sent = [
            (action, target, tag, answer.status, answer.error_code)
            for (action, _, _, tag), target, answer in zip(round_, targets, answers, strict=True)
        ]
        assert all(
            answer.status in ANSWERS[action] for (action, *_), answer in zip(round_, answers, strict=True)
        ), sent
        # a version deleted before the round is not found by any of them
        assert all(
            answer.status == 404
            for target, answer in zip(targets, answers, strict=True)
            if before[target]["deleted"]
        ), sent
        # at most one new version was made (no request could name one made in the round),
        # and it is stored as answered
        after = automations_of(tables, workspace)
        made = [answer for answer in answers if answer.status == 201]
        assert len(made) <= 1, sent
        assert set(after) == set(before) | {answer.body["id"] for answer in made}
        for answer in made:
            assert {k: v for k, v in after[answer.body["id"]].items() if k != "deleted"} == answer.body
        # and the family's invariants hold
        assert_family_invariants(tables, workspace)
