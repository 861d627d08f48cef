"""``casetui import-csv`` with the funders' columns: run in this process, on a test vault."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetui.core.funder_records import FundingSource
from casetui.core.records import Client
from tests.conftest import VaultFiles
from tests.core.test_funder_sheets import MAPPING, csv_text
from tests.services.test_csv_import import assert_one_sentence, cli, ident


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A settings folder of the test's own: funder_categories.toml goes beside config.toml."""
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("CASETUI_CONFIG", str(folder / "config.toml"))
    return folder


def with_voca(files: VaultFiles) -> str:
    with files.open() as vault:
        source = vault.repo.funding_sources.add(FundingSource.create(name="VOCA 2026"))
        vault.save()
    return source.id


ROWS = [
    [
        "Amaru Quispe",
        "2026-03-02",
        "Adult Sexual Assault; stalking_harassment",
        "25-59",
        "Woman or girl",
        "declined to answer",
        "",
        "voca 2026",
    ],
    ["Bo Larchmont", "2026-03-04", "", "", "", "", "", ""],
]


def clients(files: VaultFiles) -> dict[str, Client]:
    with files.open(writable=False) as vault:
        return {c.preferred_name: c for c in vault.repo.clients.all()}


def test_a_sheet_with_funder_columns_imports_codes_and_funding_sources(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, tmp_path: Path, config: Path
) -> None:
    voca = with_voca(vault_files)
    (tmp_path / "map.toml").write_text(MAPPING)
    (tmp_path / "clients.csv").write_text(csv_text(ROWS))
    code, out, err = cli(
        capsys,
        "import-csv",
        tmp_path / "clients.csv",
        "--map",
        tmp_path / "map.toml",
        *ident(vault_files),
    )
    assert code == 0, err
    assert "Added 2 clients" in out
    found = clients(vault_files)
    amaru = found["Amaru Quispe"]
    assert amaru.victimization_types == ("adult_sexual_assault", "stalking_harassment")
    assert amaru.age_group == "age_25_59"
    assert amaru.gender_identity == "woman"
    assert amaru.race_ethnicity == ("declined",)
    assert amaru.special_classifications == ()
    assert amaru.funding_source_ids == (voca,)
    bo = found["Bo Larchmont"]
    assert (bo.victimization_types, bo.age_group, bo.funding_source_ids) == ((), "", ())


def test_one_unknown_value_imports_nothing_and_says_where(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, tmp_path: Path, config: Path
) -> None:
    with_voca(vault_files)
    rows = [list(r) for r in ROWS]
    rows[1][5] = "Asian; Martian"
    (tmp_path / "map.toml").write_text(MAPPING)
    (tmp_path / "clients.csv").write_text(csv_text(rows))
    before = vault_files.snapshot()
    code, out, err = cli(
        capsys,
        "import-csv",
        tmp_path / "clients.csv",
        "--map",
        tmp_path / "map.toml",
        *ident(vault_files),
    )
    assert code == 1
    assert vault_files.snapshot() == before
    assert (
        "  - clients.csv, line 3, column 'Race/ethnicity', value 'Asian; Martian': 'Martian' "
        "is not a choice for race/ethnicity; write its code or its words on the form or in "
        "the report, such as 'american_indian_alaska_native', 'Asian' or 'Declined to answer'."
    ) in err.splitlines()
    assert_one_sentence(err, "1 problem in 1 row of 2", "nothing was imported")
    assert "Added" not in out


def test_an_agencys_own_lists_are_used_and_a_broken_file_falls_back_with_a_note(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, tmp_path: Path, config: Path
) -> None:
    with_voca(vault_files)
    (tmp_path / "map.toml").write_text(MAPPING)
    rows = [["Amaru Quispe", "2026-03-02", "", "", "Femme", "", "", ""]]
    (tmp_path / "clients.csv").write_text(csv_text(rows))
    argv = ("import-csv", tmp_path / "clients.csv", "--map", tmp_path / "map.toml")
    lists = config / "funder_categories.toml"
    lists.write_text('[[gender_identity]]\ncode = "femme"\nlabel = "Femme"\n')
    code, out, err = cli(capsys, *argv, "--dry-run", *ident(vault_files))
    assert code == 0, err
    assert "Note:" not in err
    assert "would add 1 client" in out

    lists.write_text("gender_identity = 3\n")  # cannot be used: the PMT's lists are
    code, _out, err = cli(capsys, *argv, "--dry-run", *ident(vault_files))
    assert code == 1
    (note,) = [line for line in err.splitlines() if line.startswith("Note:")]
    assert str(lists) in note
    assert note.endswith("The funders' columns are read with the PMT's own lists.")
    assert "'Femme' is not a choice for gender identity" in err
