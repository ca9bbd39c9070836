"""Secrets in settings are stored encrypted and never shown."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, SecretStr
from sqlalchemy import select

from renkei.pipeline import integrations as integration_service
from renkei.pipeline.hub import Hub
from renkei.sources.registry import Extraction, SourceKind, register, unregister
from renkei.store.schema import integrations


class RelaySettings(BaseModel):
    host: str
    password: SecretStr


def _never(path: Path, settings: BaseModel, name: str | None) -> Extraction:
    raise AssertionError("not used")


def test_secret_settings_are_encrypted_at_rest_and_masked(tmp_path: Path) -> None:
    register(SourceKind("test-relay", RelaySettings, _never, "a kind with a secret"))
    hub = Hub.open("default", url=f"sqlite:///{tmp_path / 'r.db'}", home=tmp_path / "home")
    try:
        added = integration_service.add_integration(
            hub,
            {"name": "relay", "kind": "test-relay", "settings": {"host": "smtp.example.jp", "password": "hunter2!"}},
        )
        assert added.settings.password.get_secret_value() == "hunter2!"
        assert added.shown_settings() == {"host": "smtp.example.jp", "password": "********"}
        assert "hunter2" not in repr(added.settings)
        with hub.engine.connect() as conn:
            row = conn.execute(select(integrations.c.settings, integrations.c.secrets)).one()
        assert row.settings == {"host": "smtp.example.jp"}
        assert "hunter2" not in row.secrets
        assert (tmp_path / "home" / "secret.key").stat().st_mode & 0o777 == 0o600
        reloaded = integration_service.integration_by_name(hub, "relay")
        assert reloaded.settings.password.get_secret_value() == "hunter2!"
        assert integration_service.apply_file(
            hub,
            {
                "integrations": [
                    {
                        "name": "relay",
                        "kind": "test-relay",
                        "settings": {"host": "smtp.example.jp", "password": "hunter2!"},
                    }
                ]
            },
        ) == [("relay", "unchanged")]
    finally:
        hub.close()
        unregister("test-relay")
