"""Configuration, read from the environment and validated once per container."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass


class SettingsError(Exception):
    """The function is deployed without a setting it needs: an operator's bug."""


@dataclass(frozen=True, slots=True)
class Settings:
    automations_table: str
    idempotency_table: str | None
    workspace_claim: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        table = environ.get("AUTOMATIONS_TABLE", "").strip()
        if not table:
            raise SettingsError("AUTOMATIONS_TABLE is not set")
        claim = environ.get("WORKSPACE_CLAIM", "workspace_id").strip()
        if not claim:
            raise SettingsError("WORKSPACE_CLAIM is empty")
        idempotency = environ.get("IDEMPOTENCY_TABLE", "").strip() or None
        return cls(automations_table=table, idempotency_table=idempotency, workspace_claim=claim)


@functools.cache
def get_settings() -> Settings:
    """The settings of this container (tests clear the cache to change them)."""
    return Settings.from_environ(os.environ)
