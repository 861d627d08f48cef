"""``casetui export`` and ``casetui import`` carry what is kept for funders' reports.

A client's funder fields, and the agency's funding sources, services and household
members, go out and come back unchanged; a file whose client names a funding
source it does not hold is refused, in one sentence, like any other broken link.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from casetui.cli import main
from casetui.core.choices import FundingProgram, Relationship
from casetui.core.fields import JSON
from casetui.core.funder_records import FundingSource, HouseholdMember, ServiceRecord
from casetui.core.records import Client
from casetui.core.recordset import FORMAT_VERSION, parse_interchange
from tests.conftest import VaultFiles, copy_vault

NEW_TABLES = (FundingSource.TABLE, ServiceRecord.TABLE, HouseholdMember.TABLE)


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


def ident(files: VaultFiles) -> list[str]:
    return ["--vault", str(files.vault), "--identity", str(files.identity_file)]


def fill(files: VaultFiles) -> None:
    """One client with every funder field set, and one record of each new table."""
    with files.open() as vault:
        repo = vault.repo
        owner = vault.owner_staff_id
        assert owner is not None
        voca = repo.funding_sources.add(
            FundingSource.create(
                name="VOCA 2026",
                program=FundingProgram.VOCA,
                award_number="15POVC-26-GG-00123",
                starts_on=date(2025, 10, 1),
                ends_on=date(2026, 9, 30),
                note="Counted under the state's subgrant.",
            )
        )
        client = repo.clients.add(
            Client.create(
                preferred_name="Amaru Quispe",
                intake_date=date(2026, 3, 2),
                case_manager_id=owner,
                victimization_types=("domestic_family_violence", "stalking_harassment"),
                age_group="age_25_59",
                gender_identity="another_gender",
                race_ethnicity=("american_indian_alaska_native", "hispanic_latino"),
                special_classifications=("limited_english", "immigrant_refugee_asylum"),
                funding_source_ids=(voca.id,),
            )
        )
        repo.services.add(
            ServiceRecord.create(
                client_id=client.id,
                on=date(2026, 3, 3),
                service="A2",
                times=2,
                funding_source_ids=(voca.id,),
                note="Explained her rights at the hearing.",
            )
        )
        repo.household.add(
            HouseholdMember.create(
                client_id=client.id,
                relationship=Relationship.CHILD,
                age_group="age_0_12",
                harmed=True,
                served=True,
                known_as="youngest",
            )
        )
        vault.save()


def records_of(files: VaultFiles, *tables: str) -> dict[str, list[dict[str, JSON]]]:
    with files.open(writable=False) as vault:
        found = vault.records().tables
        return {
            t: sorted((r.to_dict() for r in found[t]), key=lambda d: str(d["id"])) for t in tables
        }


def test_funder_fields_and_tables_go_out_and_come_back_unchanged(
    capsys: pytest.CaptureFixture[str],
    template_vault: VaultFiles,
    vault_files: VaultFiles,
    tmp_path: Path,
) -> None:
    fill(vault_files)
    out = tmp_path / "export.age"
    code, _out, err = cli(capsys, "export", "--out", out, *ident(vault_files))
    assert code == 0, err

    fresh = copy_vault(template_vault, tmp_path / "fresh")
    assert all(not rows for rows in records_of(fresh, Client.TABLE, *NEW_TABLES).values())

    code, stdout, err = cli(capsys, "import", out, *ident(fresh))
    assert code == 0, err
    assert "1 funding source" in stdout
    assert "1 service" in stdout
    assert "1 household member" in stdout
    tables = (Client.TABLE, *NEW_TABLES)
    before, after = records_of(vault_files, *tables), records_of(fresh, *tables)
    assert after == before
    client = after[Client.TABLE][0]
    assert client["victimization_types"] == ["domestic_family_violence", "stalking_harassment"]
    assert client["age_group"] == "age_25_59"
    assert client["funding_source_ids"] == [after[FundingSource.TABLE][0]["id"]]
    assert after[HouseholdMember.TABLE][0]["known_as"] == "youngest"

    # Importing the same file again adds nothing.
    code, stdout, err = cli(capsys, "import", out, *ident(fresh))
    assert code == 0, err
    assert "Nothing new to add" in stdout
    assert records_of(fresh, *tables) == before


def test_the_export_is_the_current_format_with_the_new_tables(
    capsys: pytest.CaptureFixture[str],
    template_vault: VaultFiles,
    vault_files: VaultFiles,
    tmp_path: Path,
) -> None:
    fill(vault_files)
    out = tmp_path / "export.json"
    code, _out, err = cli(capsys, "export", "--out", out, "--plaintext", *ident(vault_files))
    assert code == 0, err
    document = json.loads(out.read_text())
    assert document["version"] == FORMAT_VERSION == 4
    assert all(len(document[t]) == 1 for t in NEW_TABLES)
    assert document["clients"][0]["race_ethnicity"] == [
        "american_indian_alaska_native",
        "hispanic_latino",
    ]
    # An older file, with neither the tables nor the fields, reads as before.
    for version in (3, 4):
        old = {
            "format": "casetui",
            "version": version,
            "staff": document["staff"],
            "clients": [
                {k: v for k, v in c.items() if k not in ("victimization_types", "age_group")}
                for c in document["clients"]
            ],
        }
        old["clients"][0]["funding_source_ids"] = []
        records, problems = parse_interchange(old)
        assert problems == []
        (client,) = records.tables[Client.TABLE]
        assert isinstance(client, Client)
        assert client.victimization_types == () and client.age_group == ""


def test_a_client_naming_a_funding_source_the_file_lacks_is_refused(
    capsys: pytest.CaptureFixture[str],
    template_vault: VaultFiles,
    vault_files: VaultFiles,
    tmp_path: Path,
) -> None:
    fill(vault_files)
    out = tmp_path / "export.json"
    code, _out, err = cli(capsys, "export", "--out", out, "--plaintext", *ident(vault_files))
    assert code == 0, err
    document = json.loads(out.read_text())
    document["funding_sources"] = []
    document["services"] = []
    out.write_text(json.dumps(document))

    fresh = copy_vault(template_vault, tmp_path / "fresh")
    before = fresh.snapshot()
    code, stdout, err = cli(capsys, "import", out, *ident(fresh))
    assert code == 1
    assert fresh.snapshot() == before
    assert "Traceback" not in err
    client_id = document["clients"][0]["id"]
    source_id = document["clients"][0]["funding_source_ids"][0]
    sentence = (
        f"export.json: clients/{client_id}: funding_source_ids: no funding source has the "
        f"id {source_id!r}."
    )
    assert sentence in err, err
    assert err.splitlines()[-1] == (
        "casetui: export.json has 1 record that refers to missing or repeated records; "
        "nothing was imported."
    )
    assert stdout == ""


def test_a_funding_source_already_in_the_vault_satisfies_the_file(
    capsys: pytest.CaptureFixture[str],
    template_vault: VaultFiles,
    vault_files: VaultFiles,
    tmp_path: Path,
) -> None:
    """A file of clients alone imports into a vault that has their funding source."""
    fill(vault_files)
    out = tmp_path / "export.json"
    code, _out, err = cli(capsys, "export", "--out", out, "--plaintext", *ident(vault_files))
    assert code == 0, err
    document = json.loads(out.read_text())
    document["funding_sources"] = []
    out.write_text(json.dumps(document))

    with vault_files.open(writable=False) as vault:
        (source,) = vault.repo.funding_sources.all()
    fresh = copy_vault(template_vault, tmp_path / "fresh")
    with fresh.open() as vault:  # the vault has the funding source already
        vault.repo.funding_sources.add(source)
        vault.save()
    code, _stdout, err = cli(capsys, "import", out, *ident(fresh))
    assert code == 0, err
    tables = (Client.TABLE, *NEW_TABLES)
    assert records_of(fresh, *tables) == records_of(vault_files, *tables)
