"""Per-store settings (schema 11): choices a team makes once for everyone who opens the store.

They live in the store, not in a server's environment, because a team store is opened by
several ``serve`` replicas and command lines; one ``store-settings`` command changes them
for all.  Today there is one: whether the dashboard shows the pictures articles name
(``remote_images``, off unless someone turns it on: showing one makes the reader's browser
contact the article's image host).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dashboard.errors import InputError
from dashboard.store.rows import iso

if TYPE_CHECKING:
    from dashboard.store.backend import Backend, Connection

# name -> (allowed values, default)
KNOWN: dict[str, tuple[tuple[str, ...], str]] = {
    "remote_images": (("on", "off"), "off"),
}


class SettingsMixin:
    """Reading and changing the ``store_settings`` rows (part of :class:`~dashboard.store.Store`)."""

    _backend: Backend

    def _conn(self) -> Connection:
        return self._backend.connection()

    def settings(self) -> dict[str, str]:
        """Every known setting with its value in this store (the default where none was set)."""
        stored = dict(self._conn().all("SELECT name, value FROM store_settings"))
        return {name: str(stored.get(name, default)) for name, (_, default) in KNOWN.items()}

    def set_setting(self, name: str, value: str) -> None:
        """Change one setting; an unknown name or value is an :class:`InputError` naming the allowed ones."""
        if name not in KNOWN:
            raise InputError(f"unknown store setting {name!r}; settings: {', '.join(sorted(KNOWN))}")
        allowed, _ = KNOWN[name]
        if value not in allowed:
            raise InputError(f"{name} must be {' or '.join(allowed)}, not {value!r}")
        conn = self._conn()
        with conn.transaction():
            conn.execute(
                "INSERT INTO store_settings(name, value, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (name, value, iso(datetime.now(UTC))),
            )

    def remote_images(self) -> bool:
        """Whether the dashboard may show the image an article names (off by default)."""
        return self.settings()["remote_images"] == "on"
