"""The goal sheet a client takes home: how it prints (headless Chromium to PDF).

Chromium is required for the PDF test: if it is missing or cannot print, the test
fails and says so. It is never skipped (CI installs it; see .ci/run).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
import zlib
from datetime import date
from pathlib import Path

import pytest

from casetui.core.choices import GoalStatus
from casetui.core.printout_render import to_html
from casetui.services.goal_sheet_print import goal_sheet_for
from tests.conftest import VaultFiles

# -- printing to PDF ---------------------------------------------------------------------


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "Chromium is not installed, and printing the goal sheet to PDF needs it: "
            "install it (Debian: apt-get install -y chromium; .ci/run does this)."
        )
    return found


def print_to_pdf(page: Path, pdf: Path, profile: Path) -> bytes:
    """Print ``page`` with headless Chromium, as a person would from the browser."""
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0 or not pdf.is_file():
        pytest.fail(
            f"Chromium could not print the goal sheet (exit code {result.returncode}); its "
            f"output:\n{result.stderr.decode(errors='replace')[-3000:]}"
        )
    return pdf.read_bytes()


def pdf_objects(data: bytes) -> dict[int, bytes]:
    return {
        int(m.group(1)): m.group(2)
        for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.DOTALL)
    }


def pdf_stream(body: bytes) -> bytes:
    found = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.DOTALL)
    if found is None:
        return b""
    raw = found.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body[: found.start()] else raw


def to_unicode(cmap: bytes) -> dict[int, str]:
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for low, high, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = int(dst, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[code] = chr(first + offset)
    return table


def page_objects(data: bytes) -> list[bytes]:
    """The page objects: ``/Type /Page``, not the ``/Pages`` tree above them."""
    return [
        body
        for body in pdf_objects(data).values()
        if re.match(rb"<<\s*/Type\s*/Page(?![A-Za-z])", body)
    ]


def pdf_text(data: bytes) -> str:
    """The text Chromium drew, read back through each font's ToUnicode map."""
    objects = pdf_objects(data)
    out: list[str] = []
    for page in page_objects(data):
        fonts: dict[bytes, dict[int, str]] = {}
        font_dict = re.search(rb"/Font\s*<<(.*?)>>", page, re.DOTALL)
        for name, number in re.findall(
            rb"/(\w+)\s+(\d+) 0 R", font_dict.group(1) if font_dict else b""
        ):
            cmap = re.search(rb"/ToUnicode\s+(\d+) 0 R", objects[int(number)])
            fonts[name] = to_unicode(pdf_stream(objects[int(cmap.group(1))])) if cmap else {}
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", page)
        assert contents is not None
        for number in re.findall(rb"(\d+) 0 R", contents.group(1)):
            font: dict[int, str] = {}
            for op in re.finditer(
                rb"/(\w+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj",
                pdf_stream(objects[int(number)]),
                re.DOTALL,
            ):
                if op.group(1) is not None:
                    font = fonts.get(op.group(1), {})
                    continue
                strings = (
                    re.findall(rb"<([0-9A-Fa-f]*)>", op.group(2))
                    if op.group(2) is not None
                    else [op.group(3)]
                )
                for hexes in strings:
                    out += [
                        font.get(int(hexes[i : i + 4], 16), "") for i in range(0, len(hexes), 4)
                    ]
            out.append(" ")
    return "".join(out)


def squeeze(text: str) -> str:
    """Text without spaces or ligatures, to compare what a PDF drew with what was asked."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_the_html_prints_to_a_one_or_two_page_pdf_with_chromium(
    sample_files: VaultFiles, tmp_path: Path
) -> None:
    with sample_files.open(writable=False) as vault:
        sheet = goal_sheet_for(
            vault.repo,
            "cl_sample001",
            as_of=date(2026, 11, 16),
            agency_name="Harbourlight Advocacy",
            agency_contact="555-0100, weekdays 9 to 5",
        )
        goal = vault.repo.goals.require("go_sample0003")
    assert goal.status is GoalStatus.IN_PROGRESS
    page = tmp_path / "goal-sheet-AB.html"
    text = to_html(sheet)
    page.write_text(text, encoding="utf-8")
    # One self-contained file: nothing to fetch, nothing to run.
    lowered = text.lower()
    for outside in ("<script", "<link", "<img", "url(", "@import", "@font-face", "://"):
        assert outside not in lowered, outside
    assert "@page" in text and "page-break-inside: avoid" in text
    assert html.escape(goal.text) in text

    data = print_to_pdf(page, tmp_path / "goal-sheet.pdf", tmp_path / "profile")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = page_objects(data)
    assert 1 <= len(pages) <= 2, f"{len(pages)} pages"
    drawn = squeeze(pdf_text(data))
    assert squeeze(goal.text) in drawn
    assert squeeze("Amara Bluefinch") in drawn
    assert squeeze("Your goals") in drawn
