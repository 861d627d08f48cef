"""``casetui report stats``: run as a real subprocess on the sample caseload."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from casetui.core.choices import AuditAction
from casetui.resources import sample_caseload
from tests.cli.test_cli import assert_one_sentence_error, ident
from tests.conftest import VaultFiles, run_casetui

pytestmark = pytest.mark.usefixtures("home")

# Not a whole month, quarter or fiscal year: allowed only as a custom period.
PERIOD = ("--from", "2026-01-01", "--to", "2026-10-31", "--custom-period")


def sample_words() -> set[str]:
    """Every client's names, pronouns, code and id, and every other record's id."""
    document = json.loads(sample_caseload().read_text())
    words: set[str] = set()
    for table, rows in document.items():
        if not isinstance(rows, list):
            continue
        for row in rows:
            words.add(row["id"])
            if table == "clients":
                words.update(row["preferred_name"].split())
                if row.get("calendar_code"):
                    words.add(row["calendar_code"])
            if table in ("staff", "partners"):
                words.add(row["name"])
    return {w for w in words if len(w) >= 4}


def test_report_stats_prints_counts_and_records_the_run(
    home: Path, sample_files: VaultFiles
) -> None:
    result = run_casetui("report", "stats", *PERIOD, *ident(sample_files), home=home)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Funder statistics, 2026-01-01 to 2026-10-31\n")
    for title in ("Clients served", "Needs of the clients served", "Referrals made", "Meetings"):
        assert title in out
    assert "'<5'" in out
    words = sample_words()
    assert len(words) > 100
    leaked = sorted(w for w in words if w.casefold() in out.casefold())
    assert not leaked
    with sample_files.open(writable=False) as vault:
        runs = [e for e in vault.repo.audit.all() if e.action is AuditAction.REPORT_RUN]
    assert [e.detail for e in runs] == ["funder statistics 2026-01-01–2026-10-31"]


@pytest.mark.parametrize("fmt", ["md", "csv"])
def test_report_stats_in_markdown_and_csv(home: Path, sample_files: VaultFiles, fmt: str) -> None:
    result = run_casetui(
        "report", "stats", *PERIOD, "--format", fmt, *ident(sample_files), home=home
    )
    assert result.returncode == 0, result.stderr
    if fmt == "md":
        assert result.stdout.startswith("# Funder statistics")
        assert "| Domain |" in result.stdout
    else:
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0] == ["table", "row", "column", "value"]
        assert ["about", "Period", "From", "2026-01-01"] in rows
    leaked = sorted(w for w in sample_words() if w.casefold() in result.stdout.casefold())
    assert not leaked


def test_the_threshold_comes_from_the_settings(
    home: Path, sample_files: VaultFiles, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("small_cell_threshold = 11\n")
    result = run_casetui(
        "report",
        "stats",
        *PERIOD,
        *ident(sample_files),
        home=home,
        env={"CASETUI_CONFIG": str(config)},
    )
    assert result.returncode == 0, result.stderr
    assert "'<11'" in result.stdout
    assert "'<5'" not in result.stdout


def test_a_period_backwards_is_one_sentence_and_exit_2(
    home: Path, sample_files: VaultFiles
) -> None:
    result = run_casetui(
        "report",
        "stats",
        "--from",
        "2026-05-01",
        "--to",
        "2026-04-01",
        *ident(sample_files),
        home=home,
    )
    assert result.returncode == 2
    assert_one_sentence_error(result, "--from", "after --to")
    with sample_files.open(writable=False) as vault:
        assert not [e for e in vault.repo.audit.all() if e.action is AuditAction.REPORT_RUN]


def test_a_bad_date_is_a_usage_error(home: Path, sample_files: VaultFiles) -> None:
    result = run_casetui("report", "stats", "--from", "2026-13-01", "--to", "2026-12-31", home=home)
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr


def test_report_accreditation_is_dispatched(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from casetui.cli import cmd_report, main

    seen = []
    monkeypatch.setattr(cmd_report, "_report_accreditation", lambda args: seen.append(args) or 0)
    assert main(["report", "accreditation"]) == 0
    assert [a.report_kind for a in seen] == ["accreditation"]


def test_report_help_loads_no_textual() -> None:
    probe = (
        "import sys\n"
        "from casetui import cli\n"
        "import casetui.core.stats\n"
        "try:\n"
        "    cli.main(['report', 'stats', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('TEXTUAL=' + ','.join(m for m in sys.modules if m.startswith('textual')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "--from" in result.stdout
    assert result.stdout.strip().endswith("TEXTUAL=")
