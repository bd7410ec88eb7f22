"""Logger, Metrics and Tracer, made once. Names come from the Powertools variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL); the
defaults keep local runs and tests working without them.

Tracing: Powertools' Tracer loads the X-Ray SDK (about 190 ms of imports) even when
tracing is off (outside Lambda, or POWERTOOLS_TRACE_DISABLED). When Powertools' own
rule says tracing is off we hand it a provider that does nothing, so local runs,
tests and benchmarks do not pay for X-Ray; in Lambda with tracing active it is
the X-Ray provider, patching botocore only (the one library we call out with).

With tracing off nothing of the SDK is imported at all: a function deployed without
``XRaySdkTracing`` has no SDK to import (the SDK ships in a layer that template.yaml
attaches only with it).
"""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, Generator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "automations"


class _Untraced(BaseSegment):
    def close(self, end_time: int | None = None) -> None: ...
    def add_subsegment(self, subsegment: Any) -> None: ...
    def remove_subsegment(self, subsegment: Any) -> None: ...
    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class NoTracing(BaseProvider):
    """A tracing provider for when tracing is off."""

    @contextmanager
    def in_subsegment(self, name: Any = None, **kwargs: Any) -> Generator[BaseSegment, None, None]:
        yield _Untraced()

    @asynccontextmanager
    async def in_subsegment_async(self, name: Any = None, **kwargs: Any) -> AsyncGenerator[BaseSegment, None]:
        yield _Untraced()

    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def patch(self, modules: Sequence[str]) -> None: ...
    def patch_all(self) -> None: ...


class _TracerOff(Tracer):
    """Powertools' Tracer, off. Off, Powertools imports the X-Ray SDK to switch the
    SDK's recording off; with our provider nothing records, so there is nothing to
    switch off, and the SDK (absent from a function without its layer) stays out."""

    @staticmethod
    def _disable_tracer_provider() -> None: ...


def make_tracer() -> Tracer:
    # Powertools' own rule, so the two cannot disagree. It is a private method: an
    # upgrade that renames it fails every test at import, not silently in Lambda.
    if Tracer._is_tracer_disabled():
        return _TracerOff(service=SERVICE, provider=NoTracing(), auto_patch=False)
    return Tracer(service=SERVICE, patch_modules=("botocore",))


logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Automations")
tracer = make_tracer()
