"""Configuration, read from the environment once per container. Each function
reads only what it needs: the workspace claim always, a table only when a request
first needs it (the validate function is deployed without any)."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass


class SettingsError(Exception):
    """The function is deployed without a setting it needs: an operator's bug."""


@dataclass(frozen=True, slots=True)
class Settings:
    workspace_claim: str
    automations_table: str | None
    idempotency_table: str | None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        claim = environ.get("WORKSPACE_CLAIM", "workspace_id").strip()
        if not claim:
            raise SettingsError("WORKSPACE_CLAIM is empty")
        return cls(
            workspace_claim=claim,
            automations_table=environ.get("AUTOMATIONS_TABLE", "").strip() or None,
            idempotency_table=environ.get("IDEMPOTENCY_TABLE", "").strip() or None,
        )

    def table(self) -> str:
        """The automations table, which every route that stores or reads needs."""
        if self.automations_table is None:
            raise SettingsError("AUTOMATIONS_TABLE is not set")
        return self.automations_table


@functools.cache
def get_settings() -> Settings:
    """The settings of this container (tests clear the cache to change them)."""
    return Settings.from_environ(os.environ)
