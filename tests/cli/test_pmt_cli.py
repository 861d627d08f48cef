"""``casetui report pmt`` and ``casetui funding``: run as real subprocesses."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from casetui.core.choices import AuditAction
from casetui.core.stats.pmt_report import last_ended_quarter
from tests.cli.test_cli import assert_one_sentence_error, ident
from tests.cli.test_stats_cli import sample_words
from tests.conftest import VaultFiles, run_casetui

pytestmark = pytest.mark.usefixtures("home")

QUARTER = ("--from", "2026-07-01", "--to", "2026-09-30")


def pmt(home: Path, files: VaultFiles, *args: str) -> str:
    result = run_casetui("report", "pmt", *args, *ident(files), home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_report_is_exact_names_no_one_and_is_recorded(
    home: Path, sample_files: VaultFiles
) -> None:
    words = sample_words()
    for fmt in ("text", "md", "csv"):
        out = pmt(home, sample_files, *QUARTER, "--format", fmt)
        assert "not for publication" in out
        assert "FFY2026 Q4" in out or fmt == "csv"
        leaked = sorted(w for w in words if w.casefold() in out.casefold())
        assert not leaked, (fmt, leaked)
    rows = list(csv.reader(io.StringIO(pmt(home, sample_files, *QUARTER, "--format", "csv"))))
    assert rows[0] == ["section", "item", "count"]
    served = next(r for r in rows if r[1] == "of them, clients (primary victims)")
    assert int(served[2]) > 0  # exact, never '<5'
    with sample_files.open(writable=False) as vault:
        runs = [e for e in vault.repo.audit.all() if e.action is AuditAction.REPORT_RUN]
    assert [e.detail for e in runs][-1] == "funder PMT figures 2026-07-01–2026-09-30"


def test_without_dates_it_is_the_last_federal_quarter_that_ended(
    home: Path, sample_files: VaultFiles
) -> None:
    quarter = last_ended_quarter(date.today())
    out = pmt(home, sample_files)
    assert f"Period: {quarter.label} ({quarter.start} to {quarter.end})" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--from", "2026-07-01"), "--from needs --to"),
        (("--from", "2026-09-30", "--to", "2026-07-01"), "ends earlier"),
        (("--funding", "Nothing Like It"), "matches none of the agency's funding sources"),
    ],
)
def test_bad_input_gets_one_sentence(
    home: Path, vault_files: VaultFiles, args: tuple[str, ...], words: str
) -> None:
    result = run_casetui("report", "pmt", *args, *ident(vault_files), home=home)
    assert result.returncode == 2
    assert words in result.stderr
    assert_one_sentence_error(result)


def test_a_funding_source_is_added_given_to_a_client_and_reported_apart(
    home: Path, sample_files: VaultFiles
) -> None:
    def funding(*args: str) -> str:
        result = run_casetui("funding", *args, *ident(sample_files), home=home)
        assert result.returncode == 0, result.stderr
        return result.stdout

    with sample_files.open(writable=False) as vault:
        client = sorted(vault.repo.clients, key=lambda c: c.preferred_name)[0]
        before = {s.name for s in vault.repo.funding_sources}
    name = "Test Grant 2026"
    assert name not in before
    funding("add", name, "--program", "state", "--award", "ST-0001")
    assert name in funding("list")
    funding("tag", client.id, "test grant")
    out = pmt(home, sample_files, *QUARTER, "--funding", "test grant", "--format", "csv")
    rows = {r[1]: r[2] for r in csv.reader(io.StringIO(out))}
    assert rows["funding"] == name
    assert int(rows["of them, clients (primary victims)"]) <= 1

    refused = run_casetui("funding", "remove", name, "--yes", *ident(sample_files), home=home)
    assert refused.returncode == 2
    assert "still counted under" in refused.stderr
    assert_one_sentence_error(refused)
    funding("untag", client.id, name)
    asks = run_casetui("funding", "remove", name, *ident(sample_files), home=home)
    assert asks.returncode != 0 and "--yes" in asks.stderr
    funding("remove", name, "--yes")
    assert name not in funding("list")


def test_adding_a_second_source_of_the_same_name_is_refused(
    home: Path, vault_files: VaultFiles
) -> None:
    first = run_casetui("funding", "add", "VOCA 2026", *ident(vault_files), home=home)
    assert first.returncode == 0, first.stderr
    again = run_casetui("funding", "add", "voca 2026", *ident(vault_files), home=home)
    assert again.returncode == 2
    assert "already a funding source called 'VOCA 2026'" in again.stderr
