"""The baseline of `make bench`: the handler a user would write by hand for the
same job, with no validation beyond ``json.loads``, no idempotency, no logging:
read the body, build the item with boto3's TypeSerializer, one conditional
PutItem, answer 201."""

import json
import os
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer

TABLE = os.environ["AUTOMATIONS_TABLE"]
_dynamodb = boto3.client("dynamodb")
_serializer = TypeSerializer()


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    body = json.loads(event["body"], parse_float=Decimal)  # TypeSerializer refuses floats
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    automation = {
        "object": "automation",
        "id": "aut_" + uuid.uuid4().hex,
        "name": body["name"],
        "description": body.get("description"),
        "status": "DRAFT",
        "version": 1,
        "parentId": None,
        "trigger": body.get("trigger") or {"type": "contact.subscribed", "config": {}},
        "nodes": body.get("nodes", []),
        "edges": body.get("edges", []),
        "stats": None,
        "publishedAt": None,
        "createdAt": now,
        "updatedAt": now,
    }
    item = {key: _serializer.serialize(value) for key, value in automation.items()}
    item["workspaceId"] = {"S": claims["workspace_id"]}
    _dynamodb.put_item(TableName=TABLE, Item=item, ConditionExpression="attribute_not_exists(id)")
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "Location": f"/v1/automations/{automation['id']}"},
        "body": json.dumps(automation, default=_plain),
    }
