"""A partner whose location is confidential (a shelter, by default) is never named on
anything printed or exported for a client: the goal sheet (HTML and Markdown, in
core and through ``casetui print``), the caseload CSV and the calendar.

The whole-vault JSON export is the user's own backup, not something for a client,
and keeps every partner whole (so an import gives the vault back as it was).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox

from casetui.core.choices import (
    Domain,
    Horizon,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.fields import StatusChange
from casetui.core.printout import goal_sheet
from casetui.core.printout_render import to_html, to_markdown
from casetui.core.records import Client, Meeting, NeedItem, Partner, Referral
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.partners import PartnersScreen
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles, run_casetui
from tests.services.test_csv_import import cli
from tests.ui.test_ui_casework import SIZE, TODAY, app_for, choose, save_form, seed, start, tick
from tests.ui.test_ui_flows import type_into, wait_for

HIDDEN = "Harbourlight Shelter"
NAMED = "Thistle Counselling Rooms"
OPEN_SHELTER = "Open Door Day Centre"  # a shelter kind whose user turned the setting off


# -- the setting -------------------------------------------------------------------------


def test_the_setting_is_on_by_default_for_shelters_only() -> None:
    assert Partner.create(name=HIDDEN, kind=ServiceKind.SHELTER).confidential_location is True
    legal = Partner.create(name="Oakmere Legal Clinic", kind=ServiceKind.LEGAL_AID)
    assert legal.confidential_location is False
    assert Partner.create(name="Somewhere").confidential_location is False  # kind: other


def test_the_setting_can_be_turned_either_way() -> None:
    shelter = Partner.create(name=OPEN_SHELTER, kind="shelter", confidential_location=False)
    assert shelter.confidential_location is False
    clinic = Partner.create(name=NAMED, kind="mental_health", confidential_location=True)
    assert clinic.confidential_location is True
    # Stored and read back as chosen.
    assert Partner.from_dict(shelter.to_dict()).confidential_location is False
    assert Partner.from_dict(clinic.to_dict()).confidential_location is True


def test_a_stored_partner_without_the_setting_gets_it_by_kind() -> None:
    old = {"id": "pa_old0000001", "name": HIDDEN, "kind": "shelter", "address": "1 Quay St"}
    partner = Partner.from_dict(old)
    assert partner.confidential_location is True
    assert partner.to_dict()["confidential_location"] is True
    clinic = Partner.from_dict({"id": "pa_old0000002", "name": NAMED, "kind": "mental_health"})
    assert clinic.confidential_location is False


# -- the goal sheet, in core -------------------------------------------------------------


def _referral(client_id: str, partner: Partner, service: ServiceKind, need_id: str | None) -> Any:
    return Referral.create(
        client_id=client_id,
        partner_id=partner.id,
        service=service,
        need_id=need_id,
        status=ReferralStatus.REFERRED,
        history=(
            StatusChange(TODAY, ReferralStatus.PLANNED, ""),
            StatusChange(TODAY, ReferralStatus.REFERRED, ""),
        ),
    )


def _need(client_id: str, label: str, domain: Domain) -> NeedItem:
    return NeedItem.create(
        client_id=client_id,
        label=label,
        horizon=Horizon.SHORT_TERM,
        domain=domain,
        status=NeedStatus.IN_PROGRESS,
    )


def _records(client_id: str) -> dict[str, Any]:
    shelter = Partner.create(name=HIDDEN, kind=ServiceKind.SHELTER, address="12 Hidden Lane")
    day_centre = Partner.create(
        name=OPEN_SHELTER, kind=ServiceKind.SHELTER, confidential_location=False
    )
    clinic = Partner.create(name=NAMED, kind=ServiceKind.MENTAL_HEALTH)
    housing = _need(client_id, "Secure shelter", Domain.HOUSING)
    talk = _need(client_id, "Someone to talk to", Domain.EMOTIONAL)
    referrals = [
        _referral(client_id, shelter, ServiceKind.SHELTER, housing.id),
        _referral(client_id, day_centre, ServiceKind.SHELTER, housing.id),
        _referral(client_id, clinic, ServiceKind.MENTAL_HEALTH, talk.id),
        _referral(client_id, shelter, ServiceKind.HOUSING, None),  # "Also helping you"
    ]
    return {
        "partners": {p.id: p for p in (shelter, day_centre, clinic)},
        "needs": [housing, talk],
        "referrals": referrals,
    }


def _check_page(page: str) -> None:
    assert "Harbourlight" not in page
    assert "Hidden Lane" not in page
    assert "a partner agency" in page
    assert NAMED in page
    assert OPEN_SHELTER in page


def test_the_goal_sheet_never_names_a_confidential_partner() -> None:
    client = Client.create(
        preferred_name="Marisol Quenby", intake_date=TODAY, case_manager_id="st_test00001"
    )
    sheet = goal_sheet(client, as_of=TODAY, case_manager="Wren Halloway", **_records(client.id))
    markdown = to_markdown(sheet)
    _check_page(markdown)
    _check_page(to_html(sheet))
    assert "Secure shelter — Under way. Helping: " in markdown
    (line,) = [x for x in markdown.splitlines() if x.startswith("- Secure shelter")]
    assert "a partner agency (your case manager can tell you more)" in line
    # Not even the kind, on the line of its own: "Shelter" alone can say where.
    assert "Also helping you" in markdown
    assert "- A partner agency (your case manager can tell you more)" in markdown
    assert "(Housing)" not in markdown


# -- through the vault: casetui print, the caseload CSV and the calendar -----------------


def _seed(files: VaultFiles) -> str:
    def build(vault: Vault) -> str:
        owner = vault.owner_staff_id
        assert owner is not None
        client = vault.repo.clients.add(
            Client.create(preferred_name="Marisol Quenby", intake_date=TODAY, case_manager_id=owner)
        )
        records = _records(client.id)
        for partner in records["partners"].values():
            vault.repo.partners.add(partner)
        for need in records["needs"]:
            vault.repo.needs.add(need)
        for referral in records["referrals"]:
            vault.repo.referrals.add(referral)
        vault.repo.meetings.add(
            Meeting.create(
                client_id=client.id,
                on=date.today() + timedelta(days=2),
                kind=MeetingKind.SCHEDULED,
            )
        )
        return client.id

    return seed(files, build)


def ident(files: VaultFiles) -> list[str]:
    return ["--vault", str(files.vault), "--identity", str(files.identity_file)]


def test_casetui_print_never_names_a_confidential_partner(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    client_id = _seed(vault_files)
    for name in ("sheet.html", "sheet.md"):
        out = tmp_path / name
        result = run_casetui("print", client_id, "--out", out, *ident(vault_files), home=home)
        assert result.returncode == 0, result.stderr
        _check_page(out.read_text(encoding="utf-8"))
        assert "Harbourlight" not in result.stdout + result.stderr


def test_the_caseload_csv_and_the_calendar_never_name_a_confidential_partner(
    vault_files: VaultFiles, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Neither ever names any partner; this keeps it so for a confidential one.
    _seed(vault_files)
    sheet = tmp_path / "caseload.csv"
    code, _out, err = cli(
        capsys, "export", "--format", "csv", "--plaintext", "--out", sheet, *ident(vault_files)
    )
    assert code == 0, err
    text = sheet.read_text(encoding="utf-8")
    assert "Marisol Quenby" in text
    assert "Harbourlight" not in text and "Hidden Lane" not in text

    ics = tmp_path / "weeks.ics"
    code, _out, err = cli(capsys, "calendar", "--out", ics, "--with-names", *ident(vault_files))
    assert code == 0, err
    calendar = ics.read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in calendar
    assert "Harbourlight" not in calendar and "Hidden Lane" not in calendar


def test_the_whole_vault_export_keeps_the_partner_whole(
    vault_files: VaultFiles, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The user's own backup, not a paper for a client: it must give the vault back.
    _seed(vault_files)
    out = tmp_path / "vault.json"
    code, _out, err = cli(capsys, "export", "--plaintext", "--out", out, *ident(vault_files))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert HIDDEN in text and "12 Hidden Lane" in text
    assert '"confidential_location": true' in text


# -- the partner form --------------------------------------------------------------------


async def test_the_partner_form_sets_it_by_kind_and_lets_the_user_change_it(
    vault_files: VaultFiles,
) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PartnersScreen))

        async def add(name: str, kind: str, *, ticked: bool) -> Partner:
            await pilot.press("a")
            await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
            assert app.screen.query_one("#field-confidential_location", Checkbox).value is False
            await type_into(pilot, "#field-name", name)
            await choose(pilot, "#field-kind", kind)
            if ticked:
                await tick(pilot, "#field-confidential_location")
            await save_form(pilot, app)
            await wait_for(pilot, lambda: isinstance(app.screen, PartnersScreen))
            assert app.vault is not None
            await wait_for(
                pilot,
                lambda: any(p.name == name for p in app.vault.repo.partners.all()),
            )
            (found,) = [p for p in app.vault.repo.partners.all() if p.name == name]
            return found

        # Ticked by hand, any partner is confidential.
        assert (await add("Quiet Rooms", "legal", ticked=True)).confidential_location is True
        # A new clinic is not, without a tick; a new shelter is (it stays current).
        assert (await add(NAMED, "mental", ticked=False)).confidential_location is False
        assert (await add(HIDDEN, "shelter", ticked=False)).confidential_location is True

        # Editing the shelter shows the setting and can turn it off.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#field-confidential_location", Checkbox).value is True
        await tick(pilot, "#field-confidential_location")
        await save_form(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, PartnersScreen))
        assert app.vault is not None
        (shelter,) = [p for p in app.vault.repo.partners.all() if p.name == HIDDEN]
        await wait_for(
            pilot,
            lambda: not app.vault.repo.partners.get(shelter.id).confidential_location,
        )
