"""Clients from a spreadsheet (``casetui import-csv``) and the caseload as CSV (``export``).

Most tests call ``casetui.cli.main`` in-process, which is quick, and unlock with the
unwrapped identity file, which skips scrypt.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casetui.cli import main
from casetui.core.choices import AuditAction, ClientStatus
from casetui.core.formats import protect_cell, unprotect_cell
from casetui.core.sheets.caseload_export import EXPORT_HEADER
from casetui.core.sheets.mapping import MappingError, parse_mapping
from casetui.resources import resource_dir
from tests.conftest import VaultFiles, copy_vault

SAMPLE_CSV = resource_dir("sample_data") / "clients_sample.csv"
SAMPLE_MAP = resource_dir("sample_data") / "clients_template.toml"

#: Reads the five columns the tests write. Rows without a case manager go to the
#: vault's owner (Robin Testwell, in the test vault).
MAPPING = """\
date_formats = ["%d/%m/%Y"]

[columns]
preferred_name = "Name"
intake_date = "Intake"
status = "Status"
case_manager = "Case manager"
interpreter_needed = "Interpreter"

[status]
active = ["open"]
on_hold = ["paused"]
closed = ["done"]
"""

#: Reads casetui's own caseload CSV back, adding the case managers it names.
EXPORT_MAPPING = """\
[columns]
preferred_name = "Preferred name"
pronouns = "Pronouns"
status = "Status"
case_manager = "Case manager"
intake_date = "Intake date"
language = "Language"
interpreter_needed = "Interpreter needed"
checkin_interval_days = "Check-in every (days)"
calendar_code = "Calendar code"

[case_manager]
create_missing = true
"""

HEADER = ["Name", "Intake", "Status", "Case manager", "Interpreter"]


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run casetui in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse, for a mistyped command line
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


def ident(files: VaultFiles) -> list[str]:
    return ["--vault", str(files.vault), "--identity", str(files.identity_file)]


def digest(path: Path) -> str:
    """One hash of every file of a vault (a folder now), names included."""
    sha = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        sha.update(str(file.relative_to(path)).encode() + b"\0" + file.read_bytes())
    return sha.hexdigest()


def sheet(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING)
    return path


def clients_of(files: VaultFiles) -> dict[str, dict[str, object]]:
    """Each client's fields by preferred name, with the case manager's name."""
    with files.open(writable=False) as vault:
        records = vault.records()
        staff = {s.id: s.name for s in records.tables["staff"]}  # type: ignore[attr-defined]
        found = {}
        for client in records.tables["clients"]:
            row = client.to_dict(with_id=False)
            row["case_manager"] = staff[row.pop("case_manager_id")]  # type: ignore[index]
            found[row["preferred_name"]] = row
        return found  # type: ignore[return-value]


def audit_actions(files: VaultFiles) -> list[str]:
    with files.open(writable=False) as vault:
        return [e.action.value for e in vault.repo.audit.all()]


def assert_one_sentence(err: str, *fragments: str) -> None:
    assert "Traceback" not in err
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert lines, "nothing on stderr"
    last = lines[-1]
    assert last.startswith("casetui: "), err
    assert last.endswith("."), last
    for fragment in fragments:
        assert fragment in last, last


# -- the sample files ----------------------------------------------------------------------


def test_the_sample_sheet_and_template_import_cleanly_into_an_empty_vault(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles
) -> None:
    code, out, err = cli(capsys, "import-csv", SAMPLE_CSV, "--map", SAMPLE_MAP, *ident(vault_files))
    assert code == 0, err
    assert "Added 12 clients" in out
    clients = clients_of(vault_files)
    assert len(clients) == 12
    zoe = clients["Zoë Ashmeadow"]
    assert zoe["intake_date"] == "2026-01-14"
    assert zoe["case_manager"] == "Priya Oakhaven"
    assert zoe["may_text"] is True
    assert zoe["may_leave_voicemail"] is False
    assert zoe["needs_reassessed_on"] == "2026-04-20"
    assert clients["Beatriz O’Hollow"]["language"] == "Portuguese"
    # A quoted line break inside a cell is kept in a multi-line field.
    assert clients["Ñusta Quillmere"]["safe_contact_notes"] == (
        "Texts in Spanish only.\nNever mention the agency by name."
    )
    # The blank case manager cell took the mapping's default.
    assert clients["Thanh Pebblebrook"]["case_manager"] == "Priya Oakhaven"
    assert clients["Thanh Pebblebrook"]["legal_engagement"] == "not_engaged"
    statuses = {c["status"] for c in clients.values()}
    assert statuses == {"active", "on_hold", "closed"}
    assert clients["Esi Marigold"]["status"] == "closed"  # "done"
    assert audit_actions(vault_files).count(AuditAction.IMPORTED.value) == 1

    # A second run adds nothing, and says why for each row.
    before = digest(vault_files.vault)
    code, out, err = cli(capsys, "import-csv", SAMPLE_CSV, "--map", SAMPLE_MAP, *ident(vault_files))
    assert code == 0, err
    assert "Nothing new to add" in out
    assert out.count("so it was skipped") == 12
    assert digest(vault_files.vault) == before


def test_the_wheel_list_includes_the_sample_sheet_and_template() -> None:
    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for name in ("clients_sample.csv", "clients_template.toml"):
        assert included[f"sample_data/{name}"] == f"casetui/sample_data/{name}"
        assert (resource_dir("sample_data") / name).is_file()


# -- a starter mapping ---------------------------------------------------------------------


def test_suggest_map_maps_every_sample_column_and_parses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "suggested.toml"
    code, stdout, err = cli(capsys, "import-csv", SAMPLE_CSV, "--suggest-map", "--out", out)
    assert code == 0, err
    assert "17 of 17 columns" in stdout
    assert out.stat().st_mode & 0o777 == 0o600
    text = out.read_text()
    suggested = parse_mapping(text, out.name)
    with SAMPLE_CSV.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert sorted(suggested.columns.values()) == sorted(header)
    assert suggested.date_formats[0] == "%d/%m/%Y"  # worked out from the dates
    assert "Not imported" not in text and "feed no field" not in text
    # The template reads the same columns the same way.
    assert suggested.columns == parse_mapping(SAMPLE_MAP.read_text()).columns

    # Never over an existing file without --force.
    out.write_text("mine")
    code, _stdout, err = cli(capsys, "import-csv", SAMPLE_CSV, "--suggest-map", "--out", out)
    assert code == 1
    assert_one_sentence(err, "already exists", "--force")
    assert out.read_text() == "mine"
    code, _stdout, err = cli(
        capsys, "import-csv", SAMPLE_CSV, "--suggest-map", "--out", out, "--force"
    )
    assert code == 0, err
    assert out.read_text() == text


def test_suggest_map_comments_the_columns_it_cannot_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "agency.csv"
    source.write_text(
        "Full name;Date opened;Shoe size;Favourite colour\nSam Hilltop;2026-02-03;40;green\n"
    )
    code, out, err = cli(capsys, "import-csv", source, "--suggest-map")
    assert code == 0, err
    mapping = parse_mapping(out)
    assert mapping.delimiter == ";"
    assert mapping.columns == {"preferred_name": "Full name", "intake_date": "Date opened"}
    assert "'Shoe size'" not in out  # headings are written as TOML strings
    assert '"Shoe size": matched no client field' in out
    assert "2 of 4 columns" in err
    assert "Sam Hilltop" not in out  # never a cell's value


def test_suggest_map_needs_no_rows_and_refuses_dry_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "header.csv"
    source.write_text("Name,Intake\n")
    code, out, err = cli(capsys, "import-csv", source, "--suggest-map")
    assert code == 0, err
    assert parse_mapping(out).columns == {"preferred_name": "Name", "intake_date": "Intake"}
    code, _out, err = cli(capsys, "import-csv", source, "--suggest-map", "--dry-run")
    assert code == 2
    assert_one_sentence(err, "--dry-run")


# -- the dry run and the report ------------------------------------------------------------


def test_a_dry_run_lists_every_problem_with_line_column_value_and_why(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, mapping: Path, tmp_path: Path
) -> None:
    long_name = "L" * 5000
    rows = [
        ["Amina Brookstone", "02/03/2026", "open", "", "no"],  # line 2: fine
        ["Bo Larchmont", "31/02/2026", "open", "", "no"],  # line 3: no such day
        ["Cy Nettlefield", "04/03/2026", "sideways", "", "perhaps"],  # line 4: two problems
        ["Di Oxbow\nsecond line of a quoted cell", "05/03/2026", "open", "", "no"],  # 5-6
        [long_name, "06/03/2026", "open", "", "no"],  # line 7: too long
        ["", "07/03/2026", "open", "", "no"],  # line 8: no name
        ["Ed Quarry", "", "open", "Nobody Known", "no"],  # line 9: no date, unknown manager
        ["Fay Rushmere", "08/03/2026", "open"],  # line 10: ragged
        ["Amina Brookstone", "02/03/2026", "paused", "", "yes"],  # line 11: repeats line 2
        ["Gil \x1b]0;owned\x07Sedge", "09/03/2026", "open", "", "no"],  # line 12: fine, cleaned
    ]
    source = tmp_path / "caseload.csv"
    source.write_text(sheet(rows))
    before = vault_files.snapshot()
    code, out, err = cli(
        capsys, "import-csv", source, "--map", mapping, "--dry-run", *ident(vault_files)
    )
    assert code == 1
    assert vault_files.snapshot() == before
    problems = [ln for ln in err.splitlines() if ln.startswith("  - ")]
    expected = [
        ("line 3, column 'Intake', value '31/02/2026'", "not a date written as DD/MM/YYYY"),
        ("line 4, column 'Status', value 'sideways'", "not a status casetui knows"),
        ("line 4, column 'Interpreter', value 'perhaps'", "not a yes or a no"),
        ("line 7, column 'Name', value '" + "L" * 40 + "'…", "5,000 characters long"),
        ("line 8, column 'Name', value ''", "is required"),
        ("line 9, column 'Intake', value ''", "is required"),
        ("line 10:", "has 3 cells, but the header has 5"),
        ("line 11:", "repeats line 2"),
    ]
    assert len(problems) == len(expected), err
    for line, (where, why) in zip(problems, expected, strict=True):
        assert f"caseload.csv, {where}" in line, line
        assert why in line, line
    assert long_name[:41] not in err  # a long value is shortened
    assert_one_sentence(err, "8 problems in 7 rows of 10", "this dry run wrote nothing")
    assert out == ""

    # Once a row is otherwise valid, an unknown case manager is reported too.
    source.write_text(sheet([rows[0], ["Ed Quarry", "10/03/2026", "open", "Nobody Known", "no"]]))
    code, _out, err = cli(
        capsys, "import-csv", source, "--map", mapping, "--dry-run", *ident(vault_files)
    )
    assert code == 1
    assert "line 3, column 'Case manager', value 'Nobody Known': is not a case manager" in err
    assert "create_missing = true" in err


def test_a_dry_run_of_a_valid_sheet_says_what_would_happen_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, mapping: Path, tmp_path: Path
) -> None:
    source = tmp_path / "ok.csv"
    source.write_text(sheet([["Amina Brookstone", "02/03/2026", "open", "", "no"]]))
    before = vault_files.snapshot()
    code, out, err = cli(
        capsys, "import-csv", source, "--map", mapping, "--dry-run", *ident(vault_files)
    )
    assert code == 0, err
    assert "would add 1 client" in out
    assert "Nothing was written" in out
    assert vault_files.snapshot() == before


def test_a_real_run_with_one_bad_row_imports_nothing(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, mapping: Path, tmp_path: Path
) -> None:
    source = tmp_path / "caseload.csv"
    rows = [[f"Client Number{i}", "02/03/2026", "open", "", "no"] for i in range(50)]
    rows[37][1] = "2026-13-01"
    source.write_text(sheet(rows))
    before = vault_files.snapshot()
    code, out, err = cli(capsys, "import-csv", source, "--map", mapping, *ident(vault_files))
    assert code == 1
    assert "line 39, column 'Intake', value '2026-13-01'" in err
    assert_one_sentence(err, "1 problem in 1 row of 50", "nothing was imported")
    assert vault_files.snapshot() == before
    assert "Added" not in out


def test_control_characters_in_a_value_are_shown_escaped(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, mapping: Path, tmp_path: Path
) -> None:
    source = tmp_path / "escapes.csv"
    source.write_text(sheet([["Hal Tarn", "\x1b]52;c;aGk=\x07", "open", "", "no"]]))
    code, _out, err = cli(capsys, "import-csv", source, "--map", mapping, *ident(vault_files))
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b]52" in err


def test_the_same_client_twice_in_the_vault_is_skipped_not_duplicated(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, mapping: Path, tmp_path: Path
) -> None:
    source = tmp_path / "first.csv"
    source.write_text(sheet([["Amina Brookstone", "02/03/2026", "open", "", "no"]]))
    assert cli(capsys, "import-csv", source, "--map", mapping, *ident(vault_files))[0] == 0
    source.write_text(
        sheet(
            [
                ["  amina   BROOKSTONE ", "2026-03-02", "paused", "", "yes"],
                ["Bo Larchmont", "03/03/2026", "done", "Robin Testwell", "y"],
            ]
        )
    )
    code, out, err = cli(capsys, "import-csv", source, "--map", mapping, *ident(vault_files))
    assert code == 0, err
    assert "line 2: 'amina BROOKSTONE' is already in the vault" in out
    assert "Added 1 client" in out
    clients = clients_of(vault_files)
    assert sorted(clients) == ["Amina Brookstone", "Bo Larchmont"]
    assert clients["Amina Brookstone"]["status"] == "active"  # the vault's version is kept
    assert clients["Bo Larchmont"]["status"] == "closed"
    assert audit_actions(vault_files).count(AuditAction.IMPORTED.value) == 2


def test_ambiguous_dates_are_reported_not_guessed(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, tmp_path: Path
) -> None:
    both = tmp_path / "both.toml"
    both.write_text(MAPPING.replace('["%d/%m/%Y"]', '["%d/%m/%Y", "%m/%d/%Y"]'))
    source = tmp_path / "dates.csv"
    source.write_text(
        sheet(
            [
                ["Amina Brookstone", "05/03/2026", "open", "", "no"],
                ["Bo Larchmont", "25/03/2026", "open", "", "no"],
            ]
        )
    )
    code, _out, err = cli(capsys, "import-csv", source, "--map", both, *ident(vault_files))
    assert code == 1
    assert "line 2, column 'Intake', value '05/03/2026': could be 2026-03-05 or 2026-05-03" in err
    assert "line 3" not in err


# -- encodings and awkward files -----------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "note"),
    [("utf-8", False), ("utf-8-sig", False), ("cp1252", True), ("utf-16", False)],
)
def test_utf8_with_or_without_bom_windows_1252_and_utf16_all_read(
    capsys: pytest.CaptureFixture[str],
    vault_files: VaultFiles,
    mapping: Path,
    tmp_path: Path,
    encoding: str,
    note: bool,
) -> None:
    names = ["Zoë Ashmeadow", "Ñusta Quillmere", "Beatriz O’Hollow", "Renée Façade-Œuvre"]
    source = tmp_path / "people.csv"
    source.write_bytes(
        sheet([[n, f"1{i}/02/2026", "open", "", "no"] for i, n in enumerate(names)]).encode(
            encoding
        )
    )
    code, out, err = cli(capsys, "import-csv", source, "--map", mapping, *ident(vault_files))
    assert code == 0, err
    assert ("Windows-1252" in err) is note
    assert sorted(clients_of(vault_files)) == sorted(names)
    assert "Added 4 clients" in out


def test_the_mapping_can_name_the_encoding(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, tmp_path: Path
) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_text('encoding = "latin-1"\n' + MAPPING)
    source = tmp_path / "people.csv"
    source.write_bytes(sheet([["Zoë Ashmeadow", "14/02/2026", "open", "", "no"]]).encode("latin-1"))
    code, _out, err = cli(capsys, "import-csv", source, "--map", latin, *ident(vault_files))
    assert code == 0, err
    assert "Windows-1252" not in err
    assert list(clients_of(vault_files)) == ["Zoë Ashmeadow"]

    utf8 = tmp_path / "utf8.toml"
    utf8.write_text('encoding = "utf-8"\n' + MAPPING)
    code, _out, err = cli(capsys, "import-csv", source, "--map", utf8, *ident(vault_files))
    assert code == 1
    assert_one_sentence(err, "not valid utf-8 text", "encoding")


def test_quoted_line_breaks_count_as_physical_lines(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, mapping: Path, tmp_path: Path
) -> None:
    source = tmp_path / "multi.csv"
    source.write_bytes(
        b"Name,Intake,Status,Case manager,Interpreter\n"
        b'"Amina\nBrookstone",02/03/2026,open,,no\n'
        b"\n"
        b'"Bo ""Larch""\r\nmont",03/03/2026,"op\nen",,no\n'
        b"Cy Nettlefield,31/04/2026,open,,no\n"
    )
    code, _out, err = cli(capsys, "import-csv", source, "--map", mapping, *ident(vault_files))
    assert code == 1
    problems = [ln for ln in err.splitlines() if ln.startswith("  - ")]
    assert len(problems) == 2, err
    assert "line 5, column 'Status', value 'op\\nen'" in problems[0]
    assert "line 8, column 'Intake', value '31/04/2026'" in problems[1]


def test_long_cells_get_the_field_limit_and_a_huge_cell_does_not_hang(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, mapping: Path, tmp_path: Path
) -> None:
    source = tmp_path / "long.csv"
    huge = "x" * 6_000_000
    source.write_text(
        sheet(
            [
                ["N" * 121, "02/03/2026", "open", "", "no"],
                ["Bo Larchmont", huge, "open", "", "no"],
                ["Cy Nettlefield", "02/03/2026", huge, "", "no"],
                ["Di Oxbow", "02/03/2026", "open", huge, "no"],
                [huge, "02/03/2026", "open", "", "no"],
            ]
        )
    )
    before = vault_files.snapshot()
    code, _out, err = cli(capsys, "import-csv", source, "--map", mapping, *ident(vault_files))
    assert code == 1
    assert len(err) < 5000
    assert "line 2, column 'Name'" in err and "121 characters long; the limit is 120" in err
    assert "line 3, column 'Intake'" in err and "not a date" in err
    assert "line 4, column 'Status'" in err
    assert "line 5, column 'Case manager'" in err and "6,000,000 characters long" in err
    assert "line 6, column 'Name'" in err and "6,000,000 characters long" in err
    assert vault_files.snapshot() == before


AWKWARD = [
    (b"", "is empty"),
    (b"\r\n\n  \n", "is empty"),
    (b",,,\n,,\n", "holds only blank lines"),
    (b"Name,Intake,Status,Case manager,Interpreter\r\n", "no clients below it"),
    (b"Name,Intake,Name\nA,02/03/2026,B\n", "columns 1 and 3 are both called 'Name'"),
    (b"Full name,Intake\nA,02/03/2026\n", "no column called 'Name' (for preferred_name)"),
    (b"Name,Intake\nA,\x0002/03/2026\n", "NUL character (line 2)"),
    (b'Name,Intake\n"Amina,02/03/2026\n', "line 2: the row's quotes do not pair up"),
    (b'Name,Intake\nA"b"c,02/03/2026\n"x"y,1\n', "line 3: the row's quotes do not pair up"),
    (b"PK\x03\x04\x14\x00\x06\x00", "zipped workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-style Excel workbook"),
    (bytes(range(1, 9)) * 200, "control characters"),
    (b"Name,Intake\n\x81\x8d\x8f\x90\x9d,02/03/2026\n", "neither UTF-8 nor Windows-1252"),
    (b"\xff\xfeN\x00a\x00\x00\xd8", "not valid UTF-16"),
]


@pytest.mark.parametrize(("content", "fragment"), AWKWARD)
def test_awkward_files_get_one_sentence_and_change_nothing(
    capsys: pytest.CaptureFixture[str],
    vault_files: VaultFiles,
    mapping: Path,
    tmp_path: Path,
    content: bytes,
    fragment: str,
) -> None:
    source = tmp_path / "awkward.csv"
    source.write_bytes(content)
    before = vault_files.snapshot()
    for dry in ((), ("--dry-run",)):
        code, out, err = cli(
            capsys, "import-csv", source, "--map", mapping, *dry, *ident(vault_files)
        )
        assert code == 1, err
        assert_one_sentence(err, fragment)
        assert out == ""
    assert vault_files.snapshot() == before


def test_missing_and_unreadable_files_are_one_sentence(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, mapping: Path, tmp_path: Path
) -> None:
    code, _out, err = cli(
        capsys, "import-csv", tmp_path / "nope.csv", "--map", mapping, *ident(vault_files)
    )
    assert code == 1
    assert_one_sentence(err, "There is no file at")
    code, _out, err = cli(capsys, "import-csv", tmp_path, "--map", mapping, *ident(vault_files))
    assert code == 1
    assert_one_sentence(err, "is a folder")
    source = tmp_path / "ok.csv"
    source.write_text(sheet([["Amina Brookstone", "02/03/2026", "open", "", "no"]]))
    code, _out, err = cli(
        capsys, "import-csv", source, "--map", tmp_path / "nope.toml", *ident(vault_files)
    )
    assert code == 1
    assert_one_sentence(err, "There is no file at")
    code, _out, err = cli(capsys, "import-csv", source, *ident(vault_files))
    assert code == 2


# -- the mapping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (MAPPING + "\n[colour]\nred = 1\n", "line 15: 'colour' is not a setting"),
        (MAPPING.replace("status = ", "statsu = "), "line 6: 'statsu' is not a client field"),
        (MAPPING.replace("statsu", "status") + "wobble = 1\n", "line 14: 'wobble' is not a"),
        (MAPPING.replace('closed = ["done"]', 'closed = ["open"]'), "line 13: 'open' is listed"),
        (MAPPING.replace('closed = ["done"]', 'closed = ["active"]'), "always means active"),
        (MAPPING.replace("%d/%m/%Y", "%d/%m"), "line 1: '%d/%m' is not a date format"),
        (MAPPING.replace('intake_date = "Intake"\n', ""), "needs intake_date"),
        (MAPPING + "[yes_no]\nyes = ['no']\n", "listed as both yes and no"),
        (MAPPING + "[case_manager]\ncreate_missing = 'yes'\n", "line 15: 'create_missing'"),
        ('encoding = "rot13"\n' + MAPPING, "line 1: 'rot13' is not a text encoding"),
        ('delimiter = "::"\n' + MAPPING, "line 1: the delimiter should be"),
        ("version = 2\n" + MAPPING, "line 1: 'version' should be 1"),
        ("[columns\npreferred_name = 1\n", "is not valid TOML"),
        (
            "status = 3\n" + MAPPING.split("[status]", maxsplit=1)[0],
            "line 1: 'status' should be a table",
        ),
    ],
)
def test_mapping_mistakes_name_the_key_and_the_line(text: str, fragment: str) -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "map.toml")
    message = caught.value.message
    assert message.startswith("map.toml"), message
    assert fragment in message, message
    assert message.endswith("."), message
    assert "\n" not in message


def test_a_bad_mapping_stops_the_command_before_the_vault_is_opened(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(MAPPING.replace("case_manager =", "case_manger ="))
    source = tmp_path / "ok.csv"
    source.write_text(sheet([["Amina Brookstone", "02/03/2026", "open", "", "no"]]))
    before = vault_files.snapshot()
    code, _out, err = cli(capsys, "import-csv", source, "--map", bad, *ident(vault_files))
    assert code == 1
    assert_one_sentence(err, "bad.toml, line 7: 'case_manger'", "the nearest is 'case_manager'")
    assert vault_files.snapshot() == before


def test_unknown_case_managers_are_added_only_when_the_mapping_says_so(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, tmp_path: Path
) -> None:
    adding = tmp_path / "adding.toml"
    adding.write_text(
        MAPPING + '\n[case_manager]\ndefault = "Ines Quayside"\ncreate_missing = true\n'
    )
    source = tmp_path / "team.csv"
    source.write_text(
        sheet(
            [
                ["Amina Brookstone", "02/03/2026", "open", "Tove Underhill", "no"],
                ["Bo Larchmont", "02/03/2026", "open", "tove  underhill", "no"],
                ["Cy Nettlefield", "02/03/2026", "open", "", "no"],
                ["Di Oxbow", "02/03/2026", "open", "robin testwell", "no"],
            ]
        )
    )
    code, out, err = cli(capsys, "import-csv", source, "--map", adding, *ident(vault_files))
    assert code == 0, err
    assert "2 new case managers ('Ines Quayside', 'Tove Underhill')" in out
    clients = clients_of(vault_files)
    assert clients["Bo Larchmont"]["case_manager"] == "Tove Underhill"
    assert clients["Cy Nettlefield"]["case_manager"] == "Ines Quayside"
    assert clients["Di Oxbow"]["case_manager"] == "Robin Testwell"
    with vault_files.open(writable=False) as vault:
        assert sorted(s.name for s in vault.records().tables["staff"]) == [  # type: ignore[attr-defined]
            "Ines Quayside",
            "Robin Testwell",
            "Tove Underhill",
        ]


# -- the caseload as CSV, and back ---------------------------------------------------------


def _same_clients(a: VaultFiles, b: VaultFiles) -> None:
    fields = (
        "pronouns",
        "status",
        "intake_date",
        "language",
        "interpreter_needed",
        "checkin_interval_days",
        "calendar_code",
        "case_manager",
    )
    left, right = clients_of(a), clients_of(b)
    assert sorted(left) == sorted(right)
    for name, client in left.items():
        for field in fields:
            assert right[name][field] == client[field], (name, field)


def test_the_caseload_goes_out_as_csv_and_back_into_a_new_vault(
    capsys: pytest.CaptureFixture[str],
    sample_files: VaultFiles,
    template_vault: VaultFiles,
    tmp_path: Path,
) -> None:
    out = tmp_path / "caseload.csv"
    code, stdout, err = cli(
        capsys, "export", "--format", "csv", "--plaintext", "--out", out, *ident(sample_files)
    )
    assert code == 0, err
    assert "Warning:" in err
    assert out.stat().st_mode & 0o777 == 0o600
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == EXPORT_HEADER
    assert len(rows) - 1 == len(clients_of(sample_files))
    assert "on hold" in {r[2].casefold() for r in rows[1:]}
    assert "safe_contact_notes" not in text and "Call or text after 17:00" not in text
    assert audit_actions(sample_files)[-1] == AuditAction.EXPORTED.value
    assert f"({len(rows) - 1} clients)" in stdout

    fresh = copy_vault(template_vault, tmp_path / "fresh")
    mapping = tmp_path / "export.toml"
    mapping.write_text(EXPORT_MAPPING)
    code, stdout, err = cli(capsys, "import-csv", out, "--map", mapping, *ident(fresh))
    assert code == 0, err
    assert "3 new case managers" in stdout
    assert "'Last contact'" in stdout  # listed as not imported
    _same_clients(sample_files, fresh)

    # The mapping --suggest-map writes for an export reads the same columns.
    code, suggested, err = cli(capsys, "import-csv", out, "--suggest-map")
    assert code == 0, err
    assert parse_mapping(suggested).columns == parse_mapping(EXPORT_MAPPING).columns


def test_the_encrypted_csv_export_opens_with_age_and_imports(
    capsys: pytest.CaptureFixture[str],
    sample_files: VaultFiles,
    template_vault: VaultFiles,
    tmp_path: Path,
) -> None:
    age = shutil.which("age")
    assert age is not None, "the age tool is needed (apt-get install age)"
    out = tmp_path / "caseload.csv.age"
    code, stdout, err = cli(capsys, "export", "--format", "csv", "--out", out, *ident(sample_files))
    assert code == 0, err
    assert "encrypted" in stdout and "Warning" not in err
    data = out.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    assert b"Preferred name" not in data
    plain = tmp_path / "caseload.csv"
    subprocess.run(
        [age, "--decrypt", "-i", str(sample_files.identity_file), "-o", str(plain), str(out)],
        check=True,
        capture_output=True,
    )
    assert plain.read_text(encoding="utf-8-sig").startswith("Preferred name,")

    mapping = tmp_path / "export.toml"
    mapping.write_text(EXPORT_MAPPING)
    decrypted = copy_vault(template_vault, tmp_path / "from-plain")
    code, _stdout, err = cli(capsys, "import-csv", plain, "--map", mapping, *ident(decrypted))
    assert code == 0, err
    _same_clients(sample_files, decrypted)
    # The encrypted file itself imports too, into a vault that holds the key.
    direct = copy_vault(template_vault, tmp_path / "from-age")
    code, _stdout, err = cli(capsys, "import-csv", out, "--map", mapping, *ident(direct))
    assert code == 0, err
    _same_clients(sample_files, direct)


def test_export_csv_refuses_to_overwrite_without_force(
    capsys: pytest.CaptureFixture[str], sample_files: VaultFiles, tmp_path: Path
) -> None:
    out = tmp_path / "caseload.csv"
    out.write_text("keep me")
    code, _out, err = cli(capsys, "export", "--format", "csv", "--out", out, *ident(sample_files))
    assert code == 1
    assert_one_sentence(err, "already exists", "--force")
    assert out.read_text() == "keep me"
    code, _out, err = cli(
        capsys, "export", "--format", "csv", "--out", sample_files.vault, *ident(sample_files)
    )
    assert_one_sentence(err, "one of the vault's own files")


RISKY_NAMES = ['=HYPERLINK("x")', "+44 20 7946 0000", "-dash", "@at", "'=quoted", "''+two"]


def test_formula_like_names_are_prefixed_in_the_csv_and_come_back_unchanged(
    capsys: pytest.CaptureFixture[str],
    vault_files: VaultFiles,
    template_vault: VaultFiles,
    mapping: Path,
    tmp_path: Path,
) -> None:
    source = tmp_path / "risky.csv"
    rows = [[name, f"1{i}/03/2026", "open", "", "no"] for i, name in enumerate(RISKY_NAMES)]
    source.write_text(sheet([[protect_cell(c) for c in row] for row in rows]))
    code, _out, err = cli(capsys, "import-csv", source, "--map", mapping, *ident(vault_files))
    assert code == 0, err
    assert sorted(clients_of(vault_files)) == sorted(RISKY_NAMES)

    out = tmp_path / "out.csv"
    code, _out, err = cli(
        capsys, "export", "--format", "csv", "--plaintext", "--out", out, *ident(vault_files)
    )
    assert code == 0, err
    cells = {r[0] for r in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    assert '\'=HYPERLINK("x")' in cells
    assert "'+44 20 7946 0000" in cells
    assert "'-dash" in cells and "'@at" in cells
    assert "''=quoted" in cells and "'''+two" in cells
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)

    back = copy_vault(template_vault, tmp_path / "back")
    export_map = tmp_path / "export.toml"
    export_map.write_text(EXPORT_MAPPING)
    code, _out, err = cli(capsys, "import-csv", out, "--map", export_map, *ident(back))
    assert code == 0, err
    assert sorted(clients_of(back)) == sorted(RISKY_NAMES)


@given(st.text(max_size=30))
def test_protecting_a_cell_is_undone_exactly(value: str) -> None:
    protected = protect_cell(value)
    assert unprotect_cell(protected) == value
    assert protected[:1] not in ("=", "+", "-", "@", "\t", "\r")


# -- fuzzing -------------------------------------------------------------------------------

VALID_NAMES = ["Amina Brookstone", "Zoë Ashmeadow", "Ñusta Quillmere", "O’Hollow Renée", "Kai"]
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "02/03/2026",
            "31/02/2026",
            "2026-03-02",
            "open",
            "paused",
            "done",
            "sideways",
            "yes",
            "no",
            "Robin Testwell",
            "Nobody Known",
            "=1+1",
            "'=x",
            '"',
            "a,b",
            "x\ny",
            "\r",
            *VALID_NAMES,
        ]
    ),
    st.text(max_size=20),
    st.sampled_from([200, 70_000, 1_500_000]).map(lambda n: "é" * n),
)
HEADINGS = st.lists(st.sampled_from([*HEADER, "Name", "Notes", "", "Näme"]), min_size=0, max_size=7)


@st.composite
def valid_sheets(draw: st.DrawFn) -> list[list[str]]:
    names = draw(st.lists(st.sampled_from(VALID_NAMES), min_size=1, max_size=5, unique=True))
    rows = [
        [
            name,
            draw(st.sampled_from(["02/03/2026", "2026-01-31", "15/11/2025"])),
            draw(st.sampled_from(["open", "paused", "done", "", "Active", "on hold"])),
            draw(st.sampled_from(["", "Robin Testwell", "robin  TESTWELL"])),
            draw(st.sampled_from(["", "yes", "n", "TRUE", "0"])),
        ]
        for name in names
    ]
    return [HEADER, *rows]


@st.composite
def messy_sheets(draw: st.DrawFn) -> list[list[str]]:
    header = draw(st.one_of(st.just(HEADER), HEADINGS))
    rows = draw(st.lists(st.lists(CELLS, max_size=7), max_size=6))
    return [header, *rows]


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """A CSV file's bytes, and its text when the test knows it (else None)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=600)), None
    table = draw(st.one_of(valid_sheets(), messy_sheets()))
    style = draw(st.sampled_from(["minimal", "all", "none", "raw"]))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    if style == "raw":  # no quoting at all, so quotes and separators run wild
        text = "".join(",".join(row) + newline for row in table)
    else:
        out = io.StringIO()
        quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL
        if style != "minimal":
            quoting = csv.QUOTE_ALL if style == "all" else csv.QUOTE_NONE
        writer = csv.writer(out, lineterminator=newline, quoting=quoting, escapechar="\\")
        try:
            writer.writerows(table)
            text = out.getvalue()
        except csv.Error:
            text = "".join(",".join(row) + newline for row in table)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 5)) == 0 and data:  # a splash of junk somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        return data, None
    return data, data.decode(encoding).removeprefix("\ufeff")


def _rows_in(text: str) -> int:
    """Data rows (after the header) with any non-blank cell, read independently."""
    rows = [
        r
        for r in csv.reader(io.StringIO(text, newline=""), strict=True)
        if any(c.strip() for c in r)
    ]
    return len(rows) - 1


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=csv_files())
def test_fuzzed_sheets_never_traceback_and_never_half_import(
    capsys: pytest.CaptureFixture[str], template_vault: VaultFiles, case: tuple[bytes, str | None]
) -> None:
    data, text = case
    with tempfile.TemporaryDirectory() as folder:
        files = copy_vault(template_vault, Path(folder) / "vault")
        source = Path(folder) / "fuzz.csv"
        source.write_bytes(data)
        mapping = Path(folder) / "map.toml"
        mapping.write_text(MAPPING)
        before = files.snapshot()
        dry, _out, dry_err = cli(
            capsys, "import-csv", source, "--map", mapping, "--dry-run", *ident(files)
        )
        assert dry in (0, 1), dry_err
        assert "Traceback" not in dry_err
        assert files.snapshot() == before
        code, out, err = cli(capsys, "import-csv", source, "--map", mapping, *ident(files))
        event(f"exit {code}")
        assert code in (0, 1, 2), err
        assert code == dry, (dry_err, err)
        assert "Traceback" not in err
        if code != 0:
            assert_one_sentence(err)
            assert files.snapshot() == before
            return
        with files.open(writable=False) as vault:
            assert vault.problems() == []
            clients = vault.records().tables["clients"]
            imported = [e for e in vault.repo.audit.all() if e.action is AuditAction.IMPORTED]
        assert len(imported) == 1
        assert all(c.status in set(ClientStatus) for c in clients)  # type: ignore[attr-defined]
        if text is not None:
            assert len(clients) == _rows_in(text), out
