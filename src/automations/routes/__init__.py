"""The routes of the Automations API, each declared once: method, path, scopes, the
Lambda function that serves it and its handler, and what it answers.

Everything else derives from these declarations or is checked against them:
each route module registers its own path and checks its own scopes from here;
``template.yaml`` is checked against them by a test (and the local gateway reads
the template); the OpenAPI document is generated from them. Importing this module
costs nothing: it is on every function's cold start.

A new route: one declaration here, one module beside this file with its
``lambda_handler``, one function in ``template.yaml`` (README, "Adding a route",
lists what goes with it), its request's signature in the OpenAPI generator, one
set of events in ``events/``. The tests fail until each is there.
"""

from __future__ import annotations

from dataclasses import dataclass

READ = "read:automations"
WRITE = "write:automations"

# The create's optional Idempotency-Key header: 1 to 255 printable ASCII characters.
IDEMPOTENCY_KEY = r"[\x20-\x7e]{1,255}"


@dataclass(frozen=True, slots=True)
class Route:
    operation: str  # OpenAPI operationId
    module: str  # automations.routes.<module> holds its lambda_handler
    method: str
    path: str  # as API Gateway writes it: /v1/automations/{automationId}
    scopes: tuple[str, ...]  # any one of them
    function: str  # the logical id of its function in template.yaml
    summary: str
    success: int
    # What the success answer is: its description, its model (a name in
    # automations.answers, named here so that importing routes loads no pydantic),
    # the headers it always carries besides X-Request-Id, and those it may carry.
    answer: str
    answer_model: str
    # status -> the error codes this route can answer with it (contract, "Errors")
    errors: dict[int, tuple[str, ...]]
    answer_headers: tuple[str, ...] = ()
    optional_headers: tuple[str, ...] = ()

    @property
    def handler(self) -> str:
        """The function's handler, as template.yaml names it."""
        return f"automations.routes.{self.module}.lambda_handler"

    def path_with(self, **parameters: str) -> str:
        """The path of one resource: ``GET.path_with(automationId="aut_…")``."""
        path = self.path
        for name, value in parameters.items():
            path = path.replace("{" + name + "}", value)
        return path

    @property
    def key(self) -> str:
        """API Gateway's routeKey: ``GET /v1/automations/{automationId}``."""
        return f"{self.method} {self.path}"


# Every route can answer these: API Gateway's authorizer or the function's own
# check (401, 403), a direct invocation with another event (400) or another path
# (404), a bug (500).
_ALWAYS: dict[int, tuple[str, ...]] = {
    400: ("invalid_event",),
    401: ("authentication_required",),
    403: ("insufficient_scope", "workspace_required"),
    404: ("route_not_found",),
    500: ("internal_error",),
}
_BODY: dict[int, tuple[str, ...]] = {
    400: ("invalid_event", "invalid_json", "invalid_body"),
    413: ("payload_too_large", "automation_too_large"),
    415: ("unsupported_media_type",),
}

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
    answer_headers=("Location",),
    optional_headers=("Idempotent-Replayed",),
    errors=_ALWAYS
    | _BODY
    | {
        400: (*_BODY[400], "invalid_idempotency_key"),
        409: ("idempotency_key_in_use",),
        422: ("validation_failed", "idempotency_key_reused"),
        503: ("service_unavailable",),
    },
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
    answer="The automation, exactly as the create answered it.",
    answer_model="Automation",
    errors=_ALWAYS | {404: ("automation_not_found", "route_not_found"), 503: ("service_unavailable",)},
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
    errors=_ALWAYS | _BODY,
)

ROUTES: tuple[Route, ...] = (CREATE, GET, VALIDATE)
