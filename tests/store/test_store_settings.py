"""Per-store settings (schema 11) on both backends, and the ``store-settings`` command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.errors import InputError
from dashboard.store import open_store


def test_remote_images_are_off_until_turned_on_and_the_choice_is_shared(store_url: str) -> None:
    with open_store(store_url) as store:
        assert store.settings() == {"remote_images": "off"} and store.remote_images() is False
        store.set_setting("remote_images", "on")
        store.set_setting("remote_images", "on")  # again: one row, same value
    with open_store(store_url) as other:  # another process's view of the same store
        assert other.remote_images() is True
        other.set_setting("remote_images", "off")
        assert other.remote_images() is False


def test_unknown_settings_and_values_are_refused(store_url: str) -> None:
    with open_store(store_url) as store:
        with pytest.raises(InputError, match="unknown store setting 'images'; settings: remote_images"):
            store.set_setting("images", "on")
        with pytest.raises(InputError, match="remote_images must be on or off, not 'yes'"):
            store.set_setting("remote_images", "yes")
        assert store.settings() == {"remote_images": "off"}


def test_store_settings_command(store_url: str) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["store-settings", "--db", store_url])
    assert shown.exit_code == 0 and shown.output == "remote-images: off\n"
    changed = runner.invoke(main, ["store-settings", "--db", store_url, "--remote-images", "on", "--json"])
    assert changed.exit_code == 0 and json.loads(changed.output) == {"remote_images": "on"}
    bad = runner.invoke(main, ["store-settings", "--db", store_url, "--remote-images", "maybe"])
    assert bad.exit_code != 0 and "maybe" in bad.output
    with open_store(store_url) as store:
        assert store.remote_images() is True
