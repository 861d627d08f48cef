"""Smaller things a new user met: Today's meetings, cursor contrast, per-week staff
time, who holds the vault, fetching a goal sheet over SSH, the offline web demo,
and the UI benchmark's scale check.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import re
import socket
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from textual.color import Color
from textual.theme import Theme

from casetui.core.choices import BlockKind, MeetingKind
from casetui.core.record_tables import RECORD_TYPES
from casetui.core.records import AdminBlock, Meeting, Record
from casetui.core.stats import TOTAL, funder_stats
from casetui.core.today import Section, meeting_items, today_items, when_text
from casetui.ui.screens.today_list import time_of_day
from casetui.ui.themes import load_themes
from casetui.ui.user_files import Saved, scp_command
from casetui.vault.lock import VaultLock, holder

# -- Today: meetings already held, and times ----------------------------------------

AS_OF = date(2027, 3, 10)  # a Wednesday


def meeting(mid: str, on: date, at: time | None = None) -> Meeting:
    return Meeting(id=mid, client_id="cl_a", on=on, at=at, kind=MeetingKind.SCHEDULED)


def test_a_meeting_held_this_morning_is_not_upcoming() -> None:
    meetings = [
        meeting("mt_morning", AS_OF, time(9, 0)),
        meeting("mt_yesterday", AS_OF - timedelta(days=1), time(15, 0)),
        meeting("mt_later", AS_OF, time(15, 30)),
        meeting("mt_untimed", AS_OF),
        meeting("mt_friday", AS_OF + timedelta(days=2), time(10, 0)),
    ]
    items = meeting_items(meetings, AS_OF, now=time(11, 0))
    listed = [i.record_id for i in sorted(items, key=lambda i: i.rank)]
    # No time is known for one: it stays on the list all day, first of the day.
    assert listed == ["mt_untimed", "mt_later", "mt_friday"]


def test_a_meeting_at_this_very_minute_is_still_listed() -> None:
    items = meeting_items([meeting("mt_now", AS_OF, time(11, 0))], AS_OF, now=time(11, 0))
    assert [i.record_id for i in items] == ["mt_now"]


def test_today_items_leaves_out_meetings_already_held() -> None:
    from casetui.core.records import Client

    client = Client(
        id="cl_a", preferred_name="Ana", intake_date=date(2027, 1, 4), case_manager_id="st_a"
    )
    meetings = [meeting("mt_morning", AS_OF, time(9)), meeting("mt_later", AS_OF, time(16))]
    items = today_items(AS_OF, now=time(12), clients=[client], contacts={}, meetings=meetings)
    assert [i.record_id for i in items if i.section is Section.MEETING] == ["mt_later"]


def test_a_meeting_later_today_shows_as_today_and_its_time() -> None:
    items = meeting_items(
        [
            meeting("mt_later", AS_OF, time(15, 30)),
            meeting("mt_untimed", AS_OF),
            meeting("mt_friday", AS_OF + timedelta(days=2), time(10, 0)),
            meeting("mt_sunday", AS_OF + timedelta(days=4)),
        ],
        AS_OF,
        now=time(11),
    )
    shown = {i.record_id: (when_text(i, AS_OF), i.detail) for i in items}
    assert shown == {
        "mt_later": ("today 15:30", "Scheduled case meeting"),
        "mt_untimed": ("today", "Scheduled case meeting"),
        "mt_friday": ("Fri 12 Mar", "Scheduled case meeting at 10:00"),
        "mt_sunday": ("Sun 14 Mar", "Scheduled case meeting"),
    }


def test_the_time_of_day_counts_only_on_the_real_day() -> None:
    clock = datetime(2027, 3, 10, 11, 42, 37)
    assert time_of_day(date(2027, 3, 10), clock) == time(11, 42)
    # The app set to another day (the demo, tests): no meeting is left off.
    assert time_of_day(date(2027, 3, 9), clock) is None


# -- themes: the overdue red on the cursor row --------------------------------------


def luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast(a: Color, b: Color) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def packaged() -> list[Theme]:
    themes, notices = load_themes(user_dir=Path("/nonexistent/casetui-themes"))
    assert notices == []
    return themes


@pytest.mark.parametrize("theme", packaged(), ids=lambda t: t.name)
def test_overdue_red_is_readable_on_the_cursor_row(theme: Theme) -> None:
    """WCAG AA (4.5:1) for the alert colour on the cursor, focused and not, in every theme.

    The colours are worked out by Textual from the theme, as the app draws them; a
    see-through cursor (the default when a theme sets none) is laid on the ground.
    """
    variables = theme.to_color_system().generate()
    error = Color.parse(variables["error"])
    for ground_name in ("background", "surface"):
        ground = Color.parse(variables[ground_name])
        assert contrast(error, ground) >= 4.5, (theme.name, ground_name)
        for cursor in ("block-cursor-background", "block-cursor-blurred-background"):
            under = ground + Color.parse(variables[cursor])
            ratio = contrast(error, under)
            assert ratio >= 4.5, (theme.name, cursor, ground_name, round(ratio, 2))
        focused = ground + Color.parse(variables["block-cursor-background"])
        text = Color.parse(variables["block-cursor-foreground"])
        assert contrast(text, focused) >= 4.5, (theme.name, "cursor text")


# -- funder stats: per week only over a week or more --------------------------------


def tables_of(*records: Record) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {cls.TABLE: [] for cls in RECORD_TYPES}
    for record in records:
        out[record.TABLE].append(record)
    return out


def three_case_managers_on(day: date) -> dict[str, list[Record]]:
    return tables_of(
        *(
            AdminBlock.create(
                staff_id=f"st_{who}", kind=BlockKind.ADMIN, on=day, start=time(9), end=time(11)
            )
            for who in "abc"
        )
    )


def test_a_single_friday_gives_no_per_week_figure_and_says_why() -> None:
    friday = date(2026, 3, 6)
    table = funder_stats(three_case_managers_on(friday), friday, friday).table("staff_time")
    rows = dict(table.rows)
    assert rows[BlockKind.ADMIN.label] == ("6.0", "—")
    assert rows[TOTAL] == ("6.0", "—")
    assert "Over 1 day," in table.note
    assert "shorter than a week" in table.note
    assert "weeks)" not in table.note


def test_two_weeks_give_hours_per_week_over_the_period() -> None:
    monday = date(2026, 3, 2)
    records = three_case_managers_on(monday)
    table = funder_stats(records, monday, monday + timedelta(days=13)).table("staff_time")
    assert dict(table.rows)[TOTAL] == ("6.0", "3.0")
    assert "14 days (2.0 weeks)" in table.note
    assert "shorter than a week" not in table.note


def test_six_days_is_still_short_of_a_week() -> None:
    monday = date(2026, 3, 2)
    table = funder_stats(three_case_managers_on(monday), monday, monday + timedelta(days=5)).table(
        "staff_time"
    )
    assert dict(table.rows)[TOTAL][1] == "—"


# -- who holds the vault ------------------------------------------------------------


def test_open_elsewhere_names_the_case_manager_then_the_account(tmp_path: Path) -> None:
    lock = VaultLock(tmp_path / "vault.lock")
    lock.acquire()
    try:
        account = f"{getpass.getuser()} on {socket.gethostname()}"
        assert holder(lock.path) is not None
        assert f" by {account} " in (holder(lock.path) or "")  # before the vault is unlocked
        lock.name_holder("Ana Ruiz")
        said = holder(lock.path) or ""
        assert said.startswith(f" by Ana Ruiz, as {account} (process ")
        assert " since " in said
        # Plain text on disk: the staff name and the account, nothing else.
        note = json.loads(lock.path.read_text())
        assert set(note) == {"pid", "host", "user", "since", "name"}
    finally:
        lock.release()
    assert holder(lock.path) is None


def test_an_unlocked_vault_writes_its_case_manager_into_the_lock(tmp_path: Path) -> None:
    from casetui.vault.vault import Vault
    from casetui.vault.vault_paths import VaultPaths

    path = tmp_path / "vault.age"
    with Vault.create(path, "correct horse battery staple", owner_name="Robin Case"):
        said = holder(VaultPaths(path).lock) or ""
    assert said.startswith(" by Robin Case, as ")


def test_a_lock_note_without_a_name_still_names_the_account(tmp_path: Path) -> None:
    lock = VaultLock(tmp_path / "vault.lock")
    lock.acquire()
    try:
        lock.path.write_text(json.dumps({"user": "root", "host": "vm", "pid": 7}))
        assert holder(lock.path) == " by root on vm (process 7)"
    finally:
        lock.release()


# -- a goal sheet saved over SSH ----------------------------------------------------


def test_over_ssh_the_message_says_how_to_fetch_the_file() -> None:
    saved = Saved(Path("/home/robin/goal sheet.html"), "goal sheet.html")
    env = {"SSH_CONNECTION": "192.0.2.7 51234 198.51.100.4 22", "USER": "robin"}
    hint = saved.fetch_hint(env)
    assert "scp 'robin@198.51.100.4:/home/robin/goal sheet.html' ." in hint
    assert "your own computer" in hint
    # Not over SSH: nothing to add.
    assert saved.fetch_hint({"USER": "robin"}) == ""
    # Sent to a browser: nothing to fetch.
    assert Saved(None, "sheet.html").fetch_hint(env) == ""


def test_the_scp_host_is_the_server_address_or_this_computers_name() -> None:
    out = Path("/tmp/sheet.html")
    v6 = {"SSH_CONNECTION": "2001:db8::7 51234 2001:db8::4 22"}
    assert scp_command(out, v6) == "scp '[2001:db8::4]:/tmp/sheet.html' ."
    only_client = {"SSH_CLIENT": "192.0.2.7 51234 22"}
    assert scp_command(out, only_client) == f"scp {socket.gethostname()}:/tmp/sheet.html ."
    odd_user = {"SSH_CONNECTION": "192.0.2.7 1 198.51.100.4 22", "USER": "a;b"}
    assert scp_command(out, odd_user) == "scp 198.51.100.4:/tmp/sheet.html ."


def test_the_goal_sheet_notice_names_the_file_and_the_scp_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casetui.ui import exports, goal_sheet

    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.7 51234 198.51.100.4 22")
    monkeypatch.setenv("USER", "robin")
    said: list[str] = []
    out = tmp_path / "sheet.html"

    class FakeApp:
        today = AS_OF

        class settings:  # stands in for the app's settings object
            agency_name = ""
            agency_contact = ""

        def require_vault(self) -> object:
            class V:
                repo = None

            return V()

        def record_event(self, *args: object, **kwargs: object) -> None:
            pass

        def notify(self, message: str, **kwargs: object) -> None:
            said.append(message)

    def fake_save(app, file, make, done, **kwargs):  # type: ignore[no-untyped-def]
        done(Saved(out, out.name), "detail")

    monkeypatch.setattr(exports, "save_user_file", fake_save)
    request = goal_sheet.PrintRequest(out, "html", ())
    goal_sheet._save(FakeApp(), "cl_a", request)  # type: ignore[arg-type]
    (message,) = said
    assert f"to {out}" in message
    assert f"scp robin@198.51.100.4:{out} ." in message


# -- the web demo: nothing from other sites -----------------------------------------


def test_the_served_page_loads_nothing_from_other_sites(home: Path, tmp_path: Path) -> None:
    import aiohttp

    from tests.e2e.test_web_demo import free_port, port_answers, wait_for, web_demo

    port = free_port()
    own = f"http://127.0.0.1:{port}"

    async def fetch(path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as http, http.get(own + path) as reply:
            return reply.status, await reply.text(errors="replace")

    with web_demo(home, tmp_path / "server", "--port", str(port)) as server:
        wait_for(lambda: port_answers(port), 20, "the port to answer", server)
        status, page = asyncio.run(fetch("/"))
        assert status == 200
        urls = re.findall(r"(?:https?:|wss?:)?//[^\s\"'<>)]+", page)
        assert urls, "the page should name its own scripts"
        elsewhere = [u for u in urls if not re.match(rf"(?:https?|wss?)://127\.0\.0\.1:{port}/", u)]
        assert elsewhere == []
        assert "fonts.googleapis.com" not in page
        # The font comes from the demo itself.
        font = re.search(r"url\(\"([^\"]+\.ttf)\"\)", page)
        assert font is not None
        font_status, _ = asyncio.run(fetch(font.group(1).removeprefix(own)))
        assert font_status == 200


# -- the benchmark: the list must hold the scale asked for --------------------------


def test_the_benchmark_times_the_filter_only_at_the_scale_asked_for() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        import ui_timing
        from agency_scale import build_document
    finally:
        sys.path.pop(0)
    clients = 30
    expected = sum(
        1 for raw in build_document(clients)["clients"].values() if raw["status"] != "closed"
    )
    result = asyncio.run(ui_timing.filter_keystrokes(clients))
    assert result["shown"] == expected > 0


def test_the_benchmark_stops_loudly_when_the_list_is_short_of_the_scale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        import ui_timing
    finally:
        sys.path.pop(0)
    # As if the caseload had not loaded: the list can never reach the number asked for.
    real = ui_timing.open_clients
    monkeypatch.setattr(ui_timing, "open_clients", lambda document: real(document) + 1)
    monkeypatch.setattr(ui_timing, "LOAD_TIMEOUT", 5.0)
    with pytest.raises(SystemExit, match="nothing was timed"):
        asyncio.run(ui_timing.filter_keystrokes(30))
