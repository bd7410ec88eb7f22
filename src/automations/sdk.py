"""The AWS SDK as the store meets it: botocore (boto3's core) directly, a session
whose data loader skips what a DynamoDB client does not need, the client's retry
budget, and the SDK's errors classified once: what means storage is throttled,
failing, unreachable or misconfigured (a 503), and what means a bug.

``import boto3`` would also load s3transfer and boto3's resource layer, and its
default session scans every service's resource model: tens of milliseconds of a
cold start that needs none of it (docs/performance.md). The client is the same
low-level DynamoDB client.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.loaders import JSONFileLoader, Loader

from automations.errors import StorageUnavailable

# The retry budget, chosen so the worst case ends well inside the function timeout
# (template.yaml: 12 s) and API Gateway's 30 s: 3 attempts, each at most 1 s to
# connect and 2 s to read, with the standard mode's jittered backoff (< 3 s total).
BOTO_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=1,
    read_timeout=2,
    tcp_keepalive=True,
)

_THROTTLED = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "Throttling",
        "ThrottledException",
    }
)
# Operator faults: the table or the credentials are missing. The client can do
# nothing but wait, so they answer 503 too; the endpoint logs them as errors.
_MISCONFIGURED = frozenset(
    {"ResourceNotFoundException", "AccessDeniedException", "UnrecognizedClientException"}
)


# What the SDK raises for a call that did not succeed (credentials that could not
# be fetched, Lambda's container endpoint failing, included).
SDK_ERRORS = (ClientError, BotoConnectionError, HTTPClientError, NoCredentialsError, CredentialRetrievalError)


def unavailable(exc: BaseException) -> StorageUnavailable | None:
    """The domain error for an AWS SDK error that means storage is throttled,
    failing, unreachable or misconfigured (a 503 for the client); None for one that
    means a bug."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _MISCONFIGURED:
            return StorageUnavailable(code, misconfigured=True)
        if code in _THROTTLED or status >= 500:
            return StorageUnavailable(code or str(status))
        return None
    if isinstance(exc, NoCredentialsError):
        return StorageUnavailable(type(exc).__name__, misconfigured=True)
    if isinstance(exc, (BotoConnectionError, HTTPClientError, CredentialRetrievalError)):
        return StorageUnavailable(type(exc).__name__)
    return None


class _KnownServices:
    """The services botocore ships, listed only if asked for more than DynamoDB."""

    def __init__(self, listing: Callable[[], list[str]]) -> None:
        self._listing = listing

    def __contains__(self, name: object) -> bool:
        return name == "dynamodb" or name in self._listing()

    def __iter__(self) -> Iterator[str]:
        return iter(self._listing())

    def __len__(self) -> int:
        return len(self._listing())


class _EndpointsAsDicts(JSONFileLoader):  # type: ignore[misc]  # botocore is untyped
    """botocore's JSON file loader, but for ``endpoints.json``, which it parses into
    plain dicts rather than through ``object_pairs_hook=OrderedDict``: the same keys,
    values and order, in 9 ms rather than 20 (1.25 MB, Python 3.13 on one x86_64
    core). Nothing reads that data but botocore's ``EndpointResolver``, by key."""

    def load_file(self, file_path: str) -> Any:
        if os.path.basename(file_path) == "endpoints" and os.path.isfile(file_path + ".json"):
            with open(file_path + ".json", "rb") as handle:
                return json.loads(handle.read().decode("utf-8"))
        return super().load_file(file_path)


class DynamoDBLoader(Loader):  # type: ignore[misc]  # botocore is untyped
    """botocore's data loader, minus two costs.

    Before it loads a model the stock loader lists every service it ships, to check
    that the one asked for is among them: some 400 directories and 2,700 ``stat``
    calls, twice (the model, then the endpoint rules), about 15 ms of every cold
    start of the create and get functions (docs/performance.md). For DynamoDB this
    one knows the answer; for any other service (STS or SSO, which credential
    providers make clients of from the same session) it lists them as before.

    And the endpoint resolver of a session reads the whole of the runtime's
    ``endpoints.json`` (every service, every partition), once per session and
    shared by every client made from it; this loader parses it into plain dicts
    (``_EndpointsAsDicts``), which halves the cost. It still parses all of it: the
    data must be the runtime's own botocore's, which AWS updates in place, and the
    only way to read DynamoDB's part of that file is to parse the file. A copy cut
    down to DynamoDB at build time would be the build's botocore's data, not the
    runtime's (regions and partitions are added to it over time).

    Models and every other file are found and loaded exactly as the stock loader
    finds and loads them."""

    FILE_LOADER_CLASS = _EndpointsAsDicts

    def list_available_services(self, type_name: str) -> _KnownServices:
        return _KnownServices(lambda: list(super(DynamoDBLoader, self).list_available_services(type_name)))


def session() -> botocore.session.Session:
    """A botocore session whose data loader is the ``DynamoDBLoader``: the one the
    store's client is made from (and any client a credential provider makes)."""
    made = botocore.session.get_session()
    data_path = made.get_config_variable("data_path")  # AWS_DATA_PATH, as botocore reads it
    extra = (
        [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep)] if data_path else []
    )
    made.register_component("data_loader", DynamoDBLoader(extra_search_paths=extra))
    return made
