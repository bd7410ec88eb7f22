"""``POST /v1/automations``: create a DRAFT automation. The entry point of
CreateAutomationFunction: ``automations.routes.create.lambda_handler``."""

from __future__ import annotations

from automations import cold_start, snapstart

with cold_start.imports():
    import re

    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.metrics import MetricUnit

    from automations.body import read_json_object
    from automations.create import accepted_draft, create_automation
    from automations.endpoint import Endpoint, resolver_path
    from automations.item import FIRST_REVISION, Stored
    from automations.json_text import dumps
    from automations.observability import logger, metrics
    from automations.responses import HttpError, json_response
    from automations.routes import CREATE, GET, IDEMPOTENCY_KEY
    from automations.settings import SettingsError, get_settings
    from automations.store import automation_store, make_at_init

    make_at_init()  # the DynamoDB client, in Lambda's init phase (store.py says why)

KEY_FORMAT = re.compile(IDEMPOTENCY_KEY)

endpoint = Endpoint(CREATE)
app = endpoint.app


@app.route(resolver_path(CREATE), method=CREATE.method)
def create() -> Response[str]:
    event = app.current_event
    caller = endpoint.caller()
    # The body's hard limits come before the header is looked at, so a body gets
    # the same answer with or without an Idempotency-Key (contract, "Hard limits").
    payload = read_json_object(event.body, bool(event.is_base64_encoded), event.headers.get("content-type"))
    key = event.headers.get("idempotency-key")
    if key is not None and not KEY_FORMAT.fullmatch(key):
        raise HttpError("invalid_idempotency_key")
    replayed = False
    if key is None:
        created = Stored(create_automation(payload, caller.workspace_id, automation_store()), FIRST_REVISION)
    else:
        table = get_settings().idempotency_table
        if table is None:
            raise SettingsError("an Idempotency-Key arrived but IDEMPOTENCY_TABLE is not set")
        from automations.idempotency import body_digest, create_once  # only keyed requests pay for it

        # The body is judged first (422, 413): a refusal never reads or writes a
        # key's record, so it is the same answer with or without the key.
        draft = accepted_draft(payload, caller.workspace_id)
        created, replayed = create_once(
            draft,
            body_digest(payload),
            caller.workspace_id,
            key,
            automation_store(),
            table,
            app.lambda_context,
        )
    automation = created.automation
    headers = {"Location": GET.path_with(automationId=automation["id"]), "ETag": created.etag}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
        logger.info("idempotent replay", extra={"automation_id": automation["id"]})
    else:
        metrics.add_metric(name="AutomationCreated", unit=MetricUnit.Count, value=1)
        logger.info(
            "automation created",
            extra={
                "automation_id": automation["id"],
                "nodes": len(automation["nodes"]),
                "edges": len(automation["edges"]),
            },
        )
    return json_response(CREATE.success, dumps(automation), endpoint.request_id(), headers)


lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, a draft with an edge to a missing
# node, refused with 422 after the body is read, parsed and its graph checked.
prime = endpoint.prime(snapstart.DRAFT.replace('"target": "m"', '"target": "missing"'))
