"""Each setting is declared once; the default file, the checks and the saver follow."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from casetui.config.setting_kinds import REJECTED
from casetui.config.settings import CHANGEABLE_IN_APP, DEFAULT_CONFIG_TEXT, Settings, declared


def test_the_default_file_holds_every_setting_in_order() -> None:
    document = tomllib.loads(DEFAULT_CONFIG_TEXT)
    assert list(document) == [*declared(), "keymap", "funder_services"]
    defaults = Settings()
    for name in declared():
        assert document[name] == getattr(defaults, name)


def test_every_field_but_the_two_sections_is_declared() -> None:
    names = [each.name for each in dataclasses.fields(Settings)]
    assert names == [*declared(), "keymap", "funder_services"]
    assert set(CHANGEABLE_IN_APP) <= set(declared())


@pytest.mark.parametrize("name", list(declared()))
def test_each_default_is_allowed_and_reads_back(name: str) -> None:
    declaration = declared()[name]
    default = getattr(Settings(), name)
    declaration.check(name, default)
    assert declaration.kind.read(default) is not REJECTED
