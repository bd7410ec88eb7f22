"""The store's own DynamoDB client: made without listing every service botocore ships.
The same, under each botocore the Lambda runtime may carry: tests/integration/test_botocore_versions.py."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from botocore.loaders import Loader
from botocore.stub import Stubber

from automations.sdk import DynamoDBLoader
from automations.store import AutomationStore
from tests.botocore_check import unwrapped


def test_the_client_is_made_without_listing_every_service(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given botocore's own listing of its services, made to fail if it runs
    def listing(self: Loader, type_name: str) -> list[str]:
        raise AssertionError(f"listed every service for {type_name}")

    monkeypatch.setattr(Loader, "list_available_services", listing)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    # When the store makes its client and reads with it
    store = AutomationStore("automations")
    with Stubber(store.client) as stub:
        stub.add_response("get_item", {}, {"TableName": "automations", "Key": _key(), "ConsistentRead": True})
        found = store.get("ws_1", "aut_01J0000000000000000000000")
    # Then it is DynamoDB's client, its model loaded as ever, and the item is absent
    assert store.client.meta.service_model.service_name == "dynamodb"
    assert store.client.meta.service_model.api_version == "2012-08-10"
    assert found is None


def test_the_loader_finds_the_models_botocore_finds() -> None:
    ours, stock = DynamoDBLoader(), Loader()
    for type_name in ("service-2", "endpoint-rule-set-1"):
        assert ours.load_service_model("dynamodb", type_name) == stock.load_service_model(
            "dynamodb", type_name
        )


def test_the_loader_overrides_a_method_botocore_has_and_calls_with_its_signature() -> None:
    # Renamed or reshaped in botocore, the override would be dead code and the
    # saving silently gone.
    stock = inspect.signature(unwrapped(Loader.list_available_services))
    assert list(inspect.signature(DynamoDBLoader.list_available_services).parameters) == list(
        stock.parameters
    )
    assert "list_available_services" in unwrapped(Loader.load_service_model).__code__.co_names


def _key() -> dict[str, Any]:
    return {"workspaceId": {"S": "ws_1"}, "id": {"S": "aut_01J0000000000000000000000"}}
