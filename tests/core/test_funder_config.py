"""The funders' settings: ``[funder_services]`` in config.toml, and a state's own lists."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from casetui.config.funder_lists import load_catalog
from casetui.config.loading import settings_from
from casetui.config.settings import Settings
from casetui.config.settings_file import save_settings
from casetui.core.funder_catalog import DEFAULT_CATALOG, CatalogError


def read(text: str) -> tuple[Settings, list[str]]:
    return settings_from(tomllib.loads(text), text, "config.toml")


def test_funder_services_entries_are_read_and_a_bad_one_is_named_and_ignored() -> None:
    settings, notices = read(
        '[funder_services]\n"meeting.check_in" = "C1"\n"meeting.bogus" = "C1"\n'
        '"transport" = "Z9"\n"legal.court_date" = ""\n'
    )
    assert settings.funder_services == {"meeting.check_in": "C1", "legal.court_date": ""}
    assert len(notices) == 2
    assert notices[0].startswith("config.toml line 3:") and "meeting.bogus" in notices[0]
    assert (
        notices[1].startswith("config.toml line 4:") and "'Z9' is not a service code" in notices[1]
    )


def test_funder_services_must_be_a_section() -> None:
    settings, notices = read('funder_services = "C1"\n')
    assert settings.funder_services == {}
    assert "should be a section" in notices[0]


def test_funder_services_survive_saving_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings(Settings(funder_services={"meeting.crisis": "C2"}), path)
    settings, notices = read(path.read_text())
    assert notices == []
    assert settings.funder_services == {"meeting.crisis": "C2"}


def test_without_a_file_the_pmt_lists_are_used(tmp_path: Path) -> None:
    assert load_catalog(tmp_path / "funder_categories.toml") is DEFAULT_CATALOG


def test_a_state_file_replaces_one_list_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "funder_categories.toml"
    path.write_text(
        '[[age_group]]\ncode = "age_0_17"\nlabel = "Under 18"\nreport = "0-17"\n'
        '[[age_group]]\ncode = "age_18_up"\nlabel = "18 or older"\n'
    )
    catalog = load_catalog(path)
    assert [o.report for o in catalog.of("age_group").options] == ["0-17", "18 or older"]
    assert catalog.of("gender_identity") == DEFAULT_CATALOG.of("gender_identity")


@pytest.mark.parametrize(
    ("text", "words"),
    [("[[age_group\n", "not valid TOML"), ("[[age_group]]\nlabel = 'x'\n", "the code should")],
)
def test_a_state_file_that_cannot_be_used_is_refused_naming_it(
    tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "funder_categories.toml"
    path.write_text(text)
    with pytest.raises(CatalogError, match=words) as error:
        load_catalog(path)
    assert str(path) in str(error.value)
