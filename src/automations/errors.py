"""The domain's exceptions: what can go wrong when an automation is created.

Nothing here knows about HTTP. The endpoint (``endpoint.py``) maps each kind to its
code in ``error_codes.py``, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automations.capped import Capped

# An answer lists at most this many problems; its message states how many there are.
# The contract bounds validationErrors and diagnostics apart: two facts that happen to
# be equal, so each has its own constant (MAX_DIAGNOSTICS in diagnostics.py).
MAX_LISTED_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request body, at a precise place in it."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class AutomationError(Exception):
    """Base of every domain error."""


class Problems(Capped[Problem]):
    """The problems of one request body, in order: the first ``MAX_LISTED_PROBLEMS``
    kept whole, the rest only counted (with their codes), so no body can make the
    service build more than an answer lists (45,000 unknown keys are 100 problems
    built and 44,900 counted)."""

    def __init__(self) -> None:
        super().__init__(MAX_LISTED_PROBLEMS)

    def kind_of(self, item: Problem) -> str:
        return item.code


class ValidationFailed(AutomationError):
    """The body is well-formed JSON but breaks the field or graph rules."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(f"{problems.total} validation problem(s)")
        self.problems = list(problems)  # the first MAX_LISTED_PROBLEMS, in order
        self.total = problems.total
        self.codes = frozenset(problems.by_kind)

    def listed(self) -> list[dict[str, Any]]:
        """The problems an answer lists: the first ``MAX_LISTED_PROBLEMS``, in order."""
        return [problem.as_dict() for problem in self.problems]


class AutomationTooLarge(AutomationError):
    """The automation would not fit in one DynamoDB item."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"automation is {size} bytes, limit {limit}")
        self.size = size
        self.limit = limit


class StorageUnavailable(AutomationError):
    """Storage was throttled or unreachable after the retry budget was spent, or
    is misconfigured (a missing table or permission: an operator's fault)."""

    def __init__(self, reason: str, *, misconfigured: bool = False) -> None:
        super().__init__(reason)
        self.misconfigured = misconfigured


class Refused(AutomationError):
    """A request the automation's state refuses: its ``code`` (one of
    ``error_codes.ERROR_CODES``) says which, and ``message`` why, in words for the
    client."""

    code = ""

    def __init__(
        self,
        message: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message or self.code)
        self.message = message
        self.headers = headers or {}
        self.details = details  # more of the error object than its code and message


class AutomationNotFound(Refused):
    """No automation with this id exists in the caller's workspace (or it is deleted)."""

    code = "automation_not_found"


class PreconditionRequired(Refused):
    """The route changes an automation only with an If-Match header."""

    code = "precondition_required"


class PreconditionFailed(Refused):
    """If-Match names no current ETag of the automation."""

    code = "precondition_failed"


class NotADraft(Refused):
    """Only a DRAFT can be changed this way."""

    code = "automation_not_draft"


class NotPublished(Refused):
    """Only a PUBLISHED automation can be archived."""

    code = "automation_not_published"


class Published(Refused):
    """A PUBLISHED automation cannot be deleted: it is archived first."""

    code = "automation_published"


class DraftExists(Refused):
    """The family already has a DRAFT: the next version is that one."""

    code = "draft_exists"


class NotPublishable(Refused):
    """Problems stand between a draft and publishing: ``details`` lists the
    diagnostics, exactly as validate answers them."""

    code = "not_publishable"


class StaleWrite(AutomationError):
    """A conditional write found the automation changed since it was read."""


class AutomationIdTaken(AutomationError):
    """The conditional put found another item under the same key."""


class IdempotencyKeyReused(AutomationError):
    """The Idempotency-Key was used with another body in this workspace."""


class IdempotencyKeyInUse(AutomationError):
    """A request with the same Idempotency-Key is still running."""
