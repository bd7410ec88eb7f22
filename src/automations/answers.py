"""The API's answers as pydantic models: the automation object and the error
envelope. They sit beside the request models (``models.py``) and describe what the
functions answer; the OpenAPI document is generated from them and tests validate
real answers against them.

No function imports this module: the functions build their answers as plain data
(``automation.FIELDS``, ``responses.envelope``), which is cheaper on every cold
start, and a test holds those and these models to one shape.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from automations.diagnostics import CODES, MAX_DIAGNOSTICS
from automations.error_codes import ERROR_CODES
from automations.errors import MAX_LISTED_PROBLEMS
from automations.ids import PATTERN
from automations.models import DESCRIPTION_MAX, NAME_MAX, Edge, NewAutomation, Node, Trigger

__all__ = ["AutomationPatch", "NewAutomation"]  # the request bodies, as routes name them

TIMESTAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
# RFC 3339 in UTC with milliseconds; ``format`` lets a generated client parse it as a
# date-time, the pattern says which of RFC 3339's forms the API writes.
Timestamp = Annotated[
    str,
    StringConstraints(pattern=TIMESTAMP),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": TIMESTAMP}),
]
ERROR_TYPES = tuple(dict.fromkeys(known.type for known in ERROR_CODES.values()))


class Automation(BaseModel):
    """The complete automation object (the seed's 201 body, and the GET's 200)."""

    model_config = ConfigDict(title="Automation")

    object: Literal["automation"]
    id: str = Field(pattern=f"^{PATTERN}$")
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str | None
    status: Literal["DRAFT", "PUBLISHED", "ARCHIVED"]
    version: int
    parentId: str | None
    trigger: Trigger
    nodes: list[Node]
    edges: list[Edge]
    stats: dict[str, Any] | None
    publishedAt: Timestamp | None
    createdAt: Timestamp
    updatedAt: Timestamp


class TriggerPatch(BaseModel):
    """A merge patch of the trigger: a key present replaces (objects merge), null removes."""

    model_config = ConfigDict(extra="forbid", title="TriggerPatch")

    type: str | None = None
    config: dict[str, Any] | None = None


class AutomationPatch(BaseModel):
    """The body of PATCH /v1/automations/{automationId}: a JSON merge patch (RFC
    7396) of the editable fields. A key present replaces that field (objects merge,
    arrays are replaced whole); null removes it, and the create's default applies
    (name has none). The merged document is judged exactly as a create body."""

    model_config = ConfigDict(extra="forbid", title="AutomationPatch")

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    trigger: TriggerPatch | None = None
    nodes: list[Node] | None = None
    edges: list[Edge] | None = None


class AutomationList(BaseModel):
    """A page of GET /v1/automations: newest first; nextCursor is null exactly when
    hasMore is false."""

    model_config = ConfigDict(extra="forbid", title="AutomationList")

    object: Literal["automation_list"]
    data: list[Automation] = Field(max_length=100)
    hasMore: bool
    nextCursor: str | None = Field(max_length=1024)


class ValidationProblem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(examples=["edges[3].target"])
    code: str = Field(examples=["unknown_node"])
    message: str


class Diagnostic(BaseModel):
    """One publish-time problem."""

    model_config = ConfigDict(extra="forbid")

    severity: Literal["error", "warning"]
    code: Literal[CODES]  # type: ignore[valid-type]
    field: str = Field(examples=["nodes[1].data.templateId"])
    # A string or absent, never null: the schema says so (the default only lets the
    # model read an answer that leaves it out).
    nodeId: Annotated[str | None, WithJsonSchema({"type": "string"})] = Field(
        default=None, description="Absent where no one node is meant."
    )
    message: str


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal[ERROR_TYPES]  # type: ignore[valid-type]
    code: str
    message: str
    requestId: str
    validationErrors: list[ValidationProblem] | None = Field(
        default=None,
        max_length=MAX_LISTED_PROBLEMS,
        description="The first problems, in order; the message states the total.",
    )
    diagnostics: list[Diagnostic] | None = Field(
        default=None,
        max_length=MAX_DIAGNOSTICS,
        description="With not_publishable: the diagnostics validate answers for the draft, warnings included.",
    )


class ErrorEnvelope(BaseModel):
    """Every error the functions answer."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail


class GatewayMessage(BaseModel):
    """What API Gateway itself answers when its JWT authorizer refuses a token or
    no route matches."""

    model_config = ConfigDict(extra="forbid")

    message: str


class AutomationValidation(BaseModel):
    """The answer of POST /v1/automations/validate: what stands between a draft and
    being created (``errors``) or published (``diagnostics``). Nothing is stored."""

    model_config = ConfigDict(extra="forbid", title="AutomationValidation")

    object: Literal["automation_validation"]
    valid: bool = Field(description="POST /v1/automations would accept this body.")
    publishable: bool = Field(description="valid, and no diagnostic of severity error.")
    errors: list[ValidationProblem] = Field(
        max_length=MAX_LISTED_PROBLEMS, description="Exactly the validationErrors the create would answer."
    )
    diagnostics: list[Diagnostic] = Field(
        max_length=MAX_DIAGNOSTICS,
        description="The publish-time rules, in the contract's order; only when valid.",
    )
    errorsTotal: int = Field(ge=0, description="How many errors there are (errors lists the first 100).")
    diagnosticsTotal: int = Field(
        ge=0, description="How many diagnostics there are (the first 100 are listed)."
    )
