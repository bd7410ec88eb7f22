"""The routes of the Automations API, each declared once: method, path, scopes, the
Lambda function that serves it and its handler, what its role may do, what it
reads and what it answers.

A route is its declaration here, its module beside this file (the handler, and
the request SnapStart primes it with) and its files in ``events/``. Everything else
derives from the declaration: ``template.yaml``'s per-function resources are
generated from it (``automations_local.stack``, checked for drift by a test), and
so are the OpenAPI document, the local gateway (which reads the template), the
cold-start probes and the bench (which replay the route's events) and the test
tables; three tables state what a declaration cannot (what the contract lets the
function do, a generated client's drive, a cold-start target). README, "Adding a
route", lists the steps; a test proves the list complete.
Importing this module costs nothing: it is on every function's cold start.
"""

from __future__ import annotations

from automations.route import TABLES, Access, Parameter, Route

__all__ = ["TABLES", "Access", "Parameter", "Route"]

READ = "read:automations"
WRITE = "write:automations"
DELETE = "delete:automations"

# The create's optional Idempotency-Key header: 1 to 255 printable ASCII characters.
IDEMPOTENCY_KEY = r"[\x20-\x7e]{1,255}"


# Conditional requests (RFC 9110): the automation's ETag, compared weakly on a GET
# and strongly by a change.
IF_NONE_MATCH = Parameter(
    "If-None-Match", "One or more ETags, or *: a 304 when one is the automation's current."
)
IF_MATCH = Parameter(
    "If-Match", "One or more strong ETags, or *: the change is made only if one is the automation's current."
)

# Every route can answer these: API Gateway's authorizer or the function's own
# check (401, 403), a direct invocation with another event (400) or another path
# (404), a bug (500).
ALWAYS = (
    "invalid_event",
    "authentication_required",
    "insufficient_scope",
    "workspace_required",
    "route_not_found",
    "internal_error",
)
# A route that reads a JSON body.
BODY = ("invalid_json", "invalid_body", "payload_too_large", "automation_too_large", "unsupported_media_type")
# A route that reads or writes storage.
STORAGE = ("service_unavailable",)
# A route that names one automation.
ONE = ("automation_not_found",)

CREATE = Route(
    operation="createAutomation",
    module="create",
    method="POST",
    path="/v1/automations",
    scopes=(WRITE,),
    function="CreateAutomationFunction",
    summary="Create Automation",
    success=201,
    answer="Automation created successfully in DRAFT status. Returns the complete automation object.",
    answer_model="Automation",
    answer_headers=("Location", "ETag"),
    optional_headers=("Idempotent-Replayed",),
    errors=(
        *ALWAYS,
        *BODY,
        *STORAGE,
        "invalid_idempotency_key",
        "idempotency_key_in_use",
        "validation_failed",
        "idempotency_key_reused",
    ),
    access=(
        Access(
            "AutomationsTable",
            ("dynamodb:PutItem", "dynamodb:GetItem"),
            "Creates are conditional puts; GetItem reads an automation back to replay a keyed request's answer.",
        ),
        Access(
            "IdempotencyTable",
            ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
            "Powertools' idempotency records: one per workspace and Idempotency-Key.",
        ),
    ),
    body="NewAutomation",
    headers=(
        Parameter(
            "Idempotency-Key",
            "Retry safely: the same key and body within 24 hours give the same automation.",
            pattern=IDEMPOTENCY_KEY,
        ),
    ),
)

GET = Route(
    operation="getAutomation",
    module="get",
    method="GET",
    path="/v1/automations/{automationId}",
    scopes=(READ, WRITE),
    function="GetAutomationFunction",
    summary="Get Automation",
    success=200,
    answer="The automation, exactly as its last write answered it.",
    answer_model="Automation",
    answer_headers=("ETag",),
    errors=(*ALWAYS, *ONE, *STORAGE),
    access=(Access("AutomationsTable", ("dynamodb:GetItem",), "A consistent GetItem of one automation."),),
    headers=(IF_NONE_MATCH,),
    bodiless=((304, "Not modified: If-None-Match names the automation's current ETag (or is *)."),),
)

VALIDATE = Route(
    operation="validateAutomation",
    module="validate",
    method="POST",
    path="/v1/automations/validate",
    scopes=(READ, WRITE),
    function="ValidateAutomationFunction",
    summary="Validate Automation",
    success=200,
    answer="The draft checked against the create's rules and the publish-time rules; nothing is stored.",
    answer_model="AutomationValidation",
    errors=(*ALWAYS, *BODY),
    body="NewAutomation",
)


EDIT = Route(
    operation="editAutomation",
    module="edit",
    method="PATCH",
    path="/v1/automations/{automationId}",
    scopes=(WRITE,),
    function="EditAutomationFunction",
    summary="Edit Automation",
    success=200,
    answer="The draft after the edit: the merged fields, normalised as the create normalises them.",
    answer_model="Automation",
    answer_headers=("ETag",),
    errors=(
        *ALWAYS,
        *BODY,
        *ONE,
        *STORAGE,
        "precondition_required",
        "precondition_failed",
        "automation_not_draft",
        "validation_failed",
    ),
    access=(
        Access(
            "AutomationsTable",
            ("dynamodb:GetItem", "dynamodb:UpdateItem"),
            "Read the draft, then one UpdateItem on condition that it is still the one that was read.",
        ),
    ),
    body="AutomationPatch",
    headers=(Parameter(IF_MATCH.name, IF_MATCH.description, required=True),),
)

LIST = Route(
    operation="listAutomations",
    module="list",
    method="GET",
    path="/v1/automations",
    scopes=(READ, WRITE),
    function="ListAutomationsFunction",
    summary="List Automations",
    success=200,
    answer="A page of the workspace's automations, newest first; follow nextCursor while hasMore.",
    answer_model="AutomationList",
    errors=(*ALWAYS, *STORAGE, "invalid_parameter", "invalid_cursor"),
    access=(
        Access(
            "AutomationsTable",
            ("dynamodb:Query",),
            "Consistent Queries of the caller's partition, newest first: nothing else.",
        ),
    ),
    query=(
        Parameter("limit", "How many automations a page holds at most: 1 to 100 (default 20).", "[0-9]{1,3}"),
        Parameter(
            "status",
            "Only automations in these statuses: one or more of DRAFT, PUBLISHED, ARCHIVED, comma-separated.",
            "(DRAFT|PUBLISHED|ARCHIVED)(,(DRAFT|PUBLISHED|ARCHIVED))*",
        ),
        Parameter(
            "cursor", "The nextCursor of the previous page, with the same status.", "[A-Za-z0-9_-]{1,1024}"
        ),
    ),
)

# What a change of state may do to the table: read the automation and its family's
# record, then write them in one transaction of UpdateItems (family.py).
_CHANGES_STATE = Access(
    "AutomationsTable",
    ("dynamodb:GetItem", "dynamodb:UpdateItem"),
    "Read the version and its family's record, then update them in one transaction, each on its revision.",
)
_ONE_BY_ID = (*ALWAYS, *ONE, *STORAGE)

PUBLISH = Route(
    operation="publishAutomation",
    module="publish",
    method="POST",
    path="/v1/automations/{automationId}/publish",
    scopes=(WRITE,),
    function="PublishAutomationFunction",
    summary="Publish Automation",
    success=200,
    answer="The published automation (or the one already published, unchanged).",
    answer_model="Automation",
    answer_headers=("ETag",),
    errors=(*_ONE_BY_ID, "precondition_failed", "automation_not_draft", "not_publishable"),
    access=(_CHANGES_STATE,),
    headers=(IF_MATCH,),
    transactions=True,
)

VERSIONS = Route(
    operation="createAutomationVersion",
    module="versions",
    method="POST",
    path="/v1/automations/{automationId}/versions",
    scopes=(WRITE,),
    function="CreateAutomationVersionFunction",
    summary="Create Automation Version",
    success=201,
    answer="The family's next DRAFT, copied from this PUBLISHED or ARCHIVED version.",
    answer_model="Automation",
    answer_headers=("Location", "ETag"),
    errors=(*_ONE_BY_ID, "draft_exists"),
    access=(
        Access(
            "AutomationsTable",
            ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
            "Read the version and its family's record, then put the new draft and update the record in one transaction.",
        ),
    ),
    transactions=True,
)

ARCHIVE = Route(
    operation="archiveAutomation",
    module="archive",
    method="POST",
    path="/v1/automations/{automationId}/archive",
    scopes=(WRITE,),
    function="ArchiveAutomationFunction",
    summary="Archive Automation",
    success=200,
    answer="The archived automation (or the one already archived, unchanged).",
    answer_model="Automation",
    answer_headers=("ETag",),
    errors=(*_ONE_BY_ID, "precondition_failed", "automation_not_published"),
    access=(_CHANGES_STATE,),
    headers=(IF_MATCH,),
    transactions=True,
)

DELETION = Route(
    operation="deleteAutomation",
    module="delete",
    method="DELETE",
    path="/v1/automations/{automationId}",
    scopes=(DELETE,),
    function="DeleteAutomationFunction",
    summary="Delete Automation",
    success=204,
    answer="Deleted: no route answers it from now on; the table's TTL purges it 30 days later.",
    answer_model=None,
    errors=(*_ONE_BY_ID, "precondition_failed", "automation_published"),
    access=(_CHANGES_STATE,),
    headers=(IF_MATCH,),
    transactions=True,
)

ROUTES: tuple[Route, ...] = (CREATE, GET, VALIDATE, LIST, EDIT, PUBLISH, VERSIONS, ARCHIVE, DELETION)
