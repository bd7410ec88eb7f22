"""Races: simultaneous requests from separate processes to one shared
DynamoDB-compatible server, where requests race in production.

- ``Containers`` are Lambda containers: spawned processes, each with its own
  interpreter, handlers and DynamoDB client. ``Containers.race`` hands one call to
  each of as many containers; they meet at a barrier, call at once, and the answers
  come back in the order of the calls. Rounds of any size up to the pool's run one
  after another on the same warm containers, so a property-based test can draw a
  sequence of rounds (``rounds``, with the settings ``racing``) and check what is
  stored after each.
- The servers: the embedded DynamoDB (moto's, one request at a time,
  ``automations_local.embedded``) in a process of its own, which has transactions;
  and dynalite, which has conditional writes but no ``TransactWriteItems``. moto's
  threaded server without the lock is no server to race on: two requests can
  interleave inside one operation, between a condition's check and its write.
- ``Server`` is one of them with the tables of template.yaml, under a prefix of
  its own.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from automations_local.template import create_tables, load_template
from tests.helpers import Answer, Tables, invoke, new_container

T = TypeVar("T")

# Fake credentials and a region: nothing ever reaches AWS.
CREDENTIALS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
}
# The containers of a module's races (the ``containers`` fixture): a round's most requests.
CONTAINERS = 8
# How long a container waits at the barrier for the others, spawning included.
BARRIER_SECONDS = 60


@dataclass(frozen=True)
class Server:
    """A DynamoDB-compatible server at ``endpoint`` with the tables of template.yaml."""

    name: str
    endpoint: str
    automations: str
    idempotency: str

    def environment(self) -> dict[str, str]:
        """A function's environment, pointed at this server and its tables."""
        return {
            **CREDENTIALS,
            "AWS_ENDPOINT_URL_DYNAMODB": self.endpoint,
            "AUTOMATIONS_TABLE": self.automations,
            "IDEMPOTENCY_TABLE": self.idempotency,
        }

    def tables(self) -> Tables:
        """The tables, for reading back what was stored."""
        return Tables(
            client=client_of(self.endpoint), automations=self.automations, idempotency=self.idempotency
        )

    def __str__(self) -> str:
        return self.name


def client_of(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def server_with_tables(name: str, endpoint: str) -> Server:
    """The server at ``endpoint`` with new tables of template.yaml, named apart."""
    names = create_tables(client_of(endpoint), load_template(), prefix=f"r{uuid.uuid4().hex[:10]}-")
    return Server(name, endpoint, names["AutomationsTable"], names["IdempotencyTable"])


@contextmanager
def embedded_dynamodb() -> Iterator[str]:
    """The embedded DynamoDB, one request at a time, in a process of its own; its
    endpoint. The process ends when its standard input closes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "automations_local.embedded"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **CREDENTIALS},
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        endpoint = process.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:"), endpoint
        yield endpoint
    finally:
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


class Containers:
    """``size`` Lambda containers, each a spawned process, made as they are first
    needed and kept warm from one race to the next."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._context = multiprocessing.get_context("spawn")
        self._manager = self._context.Manager()
        self._pool = ProcessPoolExecutor(size, mp_context=self._context)

    def race(self, server: Server, calls: Sequence[Callable[[], T]]) -> list[T]:
        """Each call in a container of its own, all at once against ``server``;
        their answers, in order. A call that raises raises here."""
        assert 0 < len(calls) <= self.size, f"{len(calls)} calls for {self.size} containers"
        # A container waits at the barrier until every call has a container of its
        # own: none can take a second call before all have started.
        barrier = self._manager.Barrier(len(calls))
        futures = [self._pool.submit(_contend, server.environment(), barrier, call) for call in calls]
        return [future.result(timeout=2 * BARRIER_SECONDS) for future in futures]

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        self._manager.shutdown()


def _contend(environment: dict[str, str], barrier: Any, call: Callable[[], T]) -> T:
    """In a container: point it at the race's server (a warm container: its client
    is made before the race), wait for the others, then call."""
    if any(os.environ.get(name) != value for name, value in environment.items()):
        os.environ.update(environment)
        new_container()
    from automations.store import automation_store

    automation_store().client  # noqa: B018 - made now, not inside the race
    barrier.wait(timeout=BARRIER_SECONDS)
    return call()


def rounds(
    calls: st.SearchStrategy[T], size: int = CONTAINERS, most: int = 3
) -> st.SearchStrategy[list[list[T]]]:
    """Hypothesis: one to ``most`` rounds, each of one to ``size`` of ``calls``
    (what to send; the test turns each into a call), for ``Containers(size)``."""
    return st.lists(st.lists(calls, min_size=1, max_size=size), min_size=1, max_size=most)


# Hypothesis settings for a test of rounds: a few examples (each is several races
# among processes), no deadline (a race waits for its slowest container).
racing = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def request(event: dict[str, Any]) -> Callable[[], Answer]:
    """A call that sends ``event`` to the function of its route (by ``routeKey``), as
    API Gateway would."""
    return functools.partial(invoke, event)
