"""What a route's declaration is (``automations.routes`` holds the declarations):
its method and path, its scopes, its function, what the function's role may do,
what it reads and what it answers. Importing this costs nothing: it is on every
function's cold start."""

from __future__ import annotations

from dataclasses import dataclass

from automations.error_codes import ERROR_CODES


@dataclass(frozen=True, slots=True)
class Access:
    """What a route's function may do to one table of template.yaml, and why."""

    table: str  # the table's logical id (a key of TABLES)
    actions: tuple[str, ...]  # IAM actions, e.g. dynamodb:GetItem
    why: str


@dataclass(frozen=True, slots=True)
class Parameter:
    """A header or query parameter a route reads (the OpenAPI document's request)."""

    name: str
    description: str
    pattern: str | None = None
    required: bool = False


# The tables of template.yaml a function can be given, and the variable that names each.
TABLES = {"AutomationsTable": "AUTOMATIONS_TABLE", "IdempotencyTable": "IDEMPOTENCY_TABLE"}


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
    answer_model: str | None
    # The error codes this route can answer (keys of error_codes.ERROR_CODES).
    errors: tuple[str, ...]
    # What the function's role allows, one entry per table; none: no table at all.
    access: tuple[Access, ...] = ()
    # The request: its body's model (a name in automations.models), headers, query.
    body: str | None = None
    headers: tuple[Parameter, ...] = ()
    query: tuple[Parameter, ...] = ()
    answer_headers: tuple[str, ...] = ()
    optional_headers: tuple[str, ...] = ()
    # Other answers without a body: status -> what it means (a 304).
    bodiless: tuple[tuple[int, str], ...] = ()
    # Its change of state is a DynamoDB transaction (TransactWriteItems), which
    # dynalite 4 lacks: its tests run on moto, and dynalite where none is needed.
    transactions: bool = False

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

    @property
    def path_parameters(self) -> tuple[str, ...]:
        """The names of the path's parameters: ``("automationId",)``."""
        return tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))

    @property
    def statuses(self) -> dict[int, tuple[str, ...]]:
        """Each status this route can answer with an error, and its codes."""
        found: dict[int, tuple[str, ...]] = {}
        for code in self.errors:
            status = ERROR_CODES[code].status
            found[status] = (*found.get(status, ()), code)
        return dict(sorted(found.items()))
