"""A Lambda context object for invoking the handler outside Lambda."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from typing import Any


@functools.cache
def _functions() -> dict[str, dict[str, Any]]:
    from automations_local.template import functions

    return functions()


@dataclass
class LambdaContext:
    function_name: str = "CreateAutomationFunction"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timeout_seconds: int = 12

    @classmethod
    def of(cls, function: str) -> LambdaContext:
        """The context Lambda gives ``function`` (a logical id of template.yaml): its
        name, and its memory size and timeout as the template sets them (its own, else
        the Globals')."""
        properties = _functions()[function]
        return cls(
            function_name=function,
            memory_limit_in_mb=int(properties["MemorySize"]),
            timeout_seconds=int(properties["Timeout"]),
        )

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000
