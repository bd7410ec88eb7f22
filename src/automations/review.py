"""A draft judged as a whole, without storing it: the create's rules (``errors``,
exactly the create's ``validationErrors``) and, when it passes them, the
publish-time rules (``diagnostics``). ``POST /v1/automations/validate`` answers
this, and publishing a stored draft asks exactly this of its editable fields: one
code path, so publish refuses exactly what validate calls not publishable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automations.create import refuse_if_too_large
from automations.diagnostics import Diagnostics, diagnose
from automations.errors import ValidationFailed
from automations.validation import parse_new_automation

OBJECT = "automation_validation"


@dataclass(frozen=True, slots=True)
class Review:
    errors: ValidationFailed | None
    diagnostics: Diagnostics | None

    @property
    def blocking(self) -> int:
        """How many problems stand between the draft and publishing: the create's
        errors, or the diagnostics of severity error."""
        if self.errors is not None:
            return self.errors.total
        return self.diagnostics.errors if self.diagnostics is not None else 0

    def answer(self) -> dict[str, Any]:
        """The ``automation_validation`` answer: the contract's fields, then how many of
        each list there were (each list is cut at 100; the totals say when it was)."""
        errors, diagnostics = self.errors, self.diagnostics
        return {
            "object": OBJECT,
            "valid": errors is None,
            "publishable": errors is None and self.blocking == 0,
            "errors": errors.listed() if errors is not None else [],
            "diagnostics": [d.as_dict() for d in diagnostics] if diagnostics is not None else [],
            "errorsTotal": errors.total if errors is not None else 0,
            "diagnosticsTotal": diagnostics.total if diagnostics is not None else 0,
        }


def review(payload: dict[str, Any], workspace_id: str) -> Review:
    """``payload`` (a create body) judged by the create's rules, then, if it passes,
    the publish-time rules. AutomationTooLarge (413) for a body the create would
    refuse as too large to store."""
    try:
        draft = parse_new_automation(payload)
    except ValidationFailed as failed:
        return Review(failed, None)
    refuse_if_too_large(draft.model_dump(), workspace_id)  # 413, as the create would answer
    return Review(None, diagnose(draft))
