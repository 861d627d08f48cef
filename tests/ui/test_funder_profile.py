"""The funders' questions on the client's profile: asked in the profile form, folded
away under their own heading, never required, and shown on the profile by their labels.

Every answer is chosen from the keyboard, as a case manager would: Tab to the group's
heading, Enter to open it, arrows and Space in the lists.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Collapsible, Select, SelectionList, Static

from casetui.config.funder_lists import lists_path
from casetui.core.errors import ValidationError
from casetui.core.funder_catalog import DEFAULT_CATALOG
from casetui.core.funder_records import FundingSource
from casetui.core.records import Client
from casetui.ui.app import CaseApp
from casetui.ui.forms.client_fields import FUNDER_HEADING
from casetui.ui.forms.profile_form import ProfileFormScreen
from casetui.ui.panes.profile import funders_text
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.client import ClientScreen
from tests.conftest import VaultFiles
from tests.ui.test_ui_flows import TODAY, app_for, type_into, wait_for, wait_saved

NAME = "Noor Hazelbank"


def _seed(files: VaultFiles, **funder: object) -> tuple[str, list[str]]:
    """A client (with any funder answers given) and two funding sources."""
    with files.open() as vault:
        sources = [
            vault.repo.funding_sources.add(FundingSource.create(name=name))
            for name in ("VOCA 2026", "City safety grant")
        ]
        client = vault.repo.clients.add(
            Client.create(
                preferred_name=NAME,
                intake_date=TODAY,
                case_manager_id=vault.owner_staff_id,
                **funder,
            )
        )
        vault.save()
    return client.id, [s.id for s in sources]


async def _open_form(pilot: Pilot[int], app: CaseApp, client_id: str) -> ProfileFormScreen:
    if not isinstance(app.screen, ClientScreen):
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        app.open_client(client_id)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfileFormScreen))
    assert isinstance(app.screen, ProfileFormScreen)
    return app.screen


async def _open_group(pilot: Pilot[int], form: ProfileFormScreen) -> None:
    """Tab backwards from the first field, past Save and Cancel, to the heading; Enter."""
    group = form.query_one("#funder-group", Collapsible)
    assert group.collapsed
    for _ in range(10):
        if form.focused is not None and form.focused.parent is group:
            break
        await pilot.press("shift+tab")
    assert form.focused is not None and FUNDER_HEADING in str(form.focused.render())
    await pilot.press("enter")
    await wait_for(pilot, lambda: not group.collapsed)


async def _tick(pilot: Pilot[int], form: ProfileFormScreen, field: str, label: str) -> None:
    """Move to ``label`` in a tick list with the arrow keys and press Space."""
    ticks = form.query_one(f"#field-{field}", SelectionList)
    labels = [str(ticks.get_option_at_index(i).prompt) for i in range(ticks.option_count)]
    ticks.focus()
    await pilot.pause()
    await pilot.press("home", *["down"] * labels.index(label), "space")


async def _choose(pilot: Pilot[int], form: ProfileFormScreen, field: str, label: str) -> None:
    """Open a choice with Enter, move to ``label`` with the arrow keys, Enter."""
    select = form.query_one(f"#field-{field}", Select)
    labels = [str(prompt) for prompt, _value in select._options]  # the blank is ""
    select.focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("home", *["down"] * labels.index(label), "enter")
    await pilot.pause()


def _ticked(form: ProfileFormScreen, field: str) -> list[object]:
    return list(form.query_one(f"#field-{field}", SelectionList).selected)


async def _save(pilot: Pilot[int], app: CaseApp) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
    await wait_saved(pilot, app)


def _profile_funders(app: CaseApp) -> str:
    return str(app.screen.query_one("#profile-funders", Static).render())


async def test_every_funder_answer_is_chosen_in_the_form_and_stored_by_its_code(
    vault_files: VaultFiles,
) -> None:
    client_id, (voca, city) = _seed(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _open_form(pilot, app, client_id)
        await _open_group(pilot, form)
        await _tick(pilot, form, "victimization_types", "Domestic or family violence")
        await _tick(pilot, form, "victimization_types", "Stalking or harassment")
        await _choose(pilot, form, "age_group", "25 to 59")
        await _choose(pilot, form, "gender_identity", "Woman or girl")
        await _tick(pilot, form, "race_ethnicity", "Asian")
        await _tick(pilot, form, "race_ethnicity", "Hispanic or Latino/a/e")
        await _tick(pilot, form, "special_classifications", "Limited English")
        await _tick(pilot, form, "funding_source_ids", "VOCA 2026")
        await _save(pilot, app)
        assert app.vault is not None
        stored = app.vault.repo.clients.require(client_id)
        assert stored.victimization_types == ("domestic_family_violence", "stalking_harassment")
        assert stored.age_group == "age_25_59"
        assert stored.gender_identity == "woman"
        assert stored.race_ethnicity == ("asian", "hispanic_latino")
        assert stored.special_classifications == ("limited_english",)
        assert stored.funding_source_ids == (voca,)
        # The profile shows them by their labels.
        await wait_for(pilot, lambda: "25 to 59" in _profile_funders(app))
        shown = _profile_funders(app)
        assert "Age group: 25 to 59" in shown
        assert "Types of harm: Domestic or family violence, Stalking or harassment" in shown
        assert "Funding sources: VOCA 2026" in shown
        assert city not in shown

        # Opened again, the form holds what was chosen; a choice can be cleared.
        form = await _open_form(pilot, app, client_id)
        assert _ticked(form, "race_ethnicity") == ["asian", "hispanic_latino"]
        assert form.query_one("#field-age_group", Select).value == "age_25_59"
        await _open_group(pilot, form)
        await _choose(pilot, form, "age_group", "")  # the blank ("Select"): not asked
        await _save(pilot, app)
        assert app.vault.repo.clients.require(client_id).age_group == ""
        await pilot.press("ctrl+q")


async def test_declined_to_answer_stands_alone_and_no_mix_is_ever_stored(
    vault_files: VaultFiles,
) -> None:
    client_id, _sources = _seed(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _open_form(pilot, app, client_id)
        await _open_group(pilot, form)
        # Declined after another choice clears it; another choice after it clears it.
        await _tick(pilot, form, "victimization_types", "Physical assault (adult)")
        await _tick(pilot, form, "victimization_types", "Declined to answer")
        assert _ticked(form, "victimization_types") == ["declined"]
        await _tick(pilot, form, "race_ethnicity", "Declined to answer")
        await _tick(pilot, form, "race_ethnicity", "White (not Latino/a/e)")
        assert _ticked(form, "race_ethnicity") == ["white"]
        await _tick(pilot, form, "special_classifications", "Veteran")
        await _tick(pilot, form, "special_classifications", "None of these")
        assert _ticked(form, "special_classifications") == ["none"]
        await _save(pilot, app)
        assert app.vault is not None
        stored = app.vault.repo.clients.require(client_id)
        assert stored.victimization_types == ("declined",)
        assert stored.race_ethnicity == ("white",)
        assert stored.special_classifications == ("none",)

        # A mix that did not come from a tick (a draft put back, say) is refused in
        # one sentence beside the field, with the group opened to show it.
        form = await _open_form(pilot, app, client_id)
        form.query_one("#field-race_ethnicity", SelectionList).select("declined")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert not form.query_one("#funder-group", Collapsible).collapsed
        problem = str(form.query_one("#form-error", Static).render())
        assert problem.startswith("Race or ethnicity: Declined to answer")
        assert "cannot be ticked with other answers" in problem
        assert app.vault.repo.clients.require(client_id).race_ethnicity == ("white",)
        await pilot.press("escape")
        await pilot.press("ctrl+q")
        await pilot.press("y")


async def test_the_form_saves_with_every_funder_question_left_blank(
    vault_files: VaultFiles,
) -> None:
    client_id, _sources = _seed(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _open_form(pilot, app, client_id)
        assert form.query_one("#funder-group", Collapsible).collapsed  # asked later
        await type_into(pilot, "#field-pronouns", "she/her")
        await _save(pilot, app)
        assert app.vault is not None
        stored = app.vault.repo.clients.require(client_id)
        assert stored.pronouns == "she/her"
        assert (stored.victimization_types, stored.age_group, stored.gender_identity) == (
            (),
            "",
            "",
        )
        assert (stored.race_ethnicity, stored.special_classifications) == ((), ())
        assert stored.funding_source_ids == ()
        assert "Age group: not asked yet" in _profile_funders(app)
        await pilot.press("ctrl+q")


async def test_an_agency_list_is_offered_and_a_code_it_lost_is_kept(
    vault_files: VaultFiles,
) -> None:
    path: Path = lists_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '[[gender_identity]]\ncode = "female"\nlabel = "Female"\n'
        '[[gender_identity]]\ncode = "male"\nlabel = "Male"\n'
    )
    client_id, _sources = _seed(vault_files, gender_identity="woman", age_group="age_18_24")
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _open_form(pilot, app, client_id)
        select = form.query_one("#field-gender_identity", Select)
        labels = [str(prompt) for prompt, _value in select._options]
        assert "Female" in labels and "Woman or girl" not in labels
        assert select.value == "woman"  # no longer listed, but not dropped unseen
        await type_into(pilot, "#field-pronouns", "she/her")
        await _save(pilot, app)
        assert app.vault is not None
        stored = app.vault.repo.clients.require(client_id)
        assert (stored.gender_identity, stored.age_group) == ("woman", "age_18_24")
        await pilot.press("ctrl+q")


async def test_a_broken_agency_list_falls_back_to_the_standard_lists(
    vault_files: VaultFiles,
) -> None:
    path = lists_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[[gender_identity]\n")  # not TOML
    client_id, _sources = _seed(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _open_form(pilot, app, client_id)
        await _open_group(pilot, form)
        await _choose(pilot, form, "gender_identity", "Man or boy")
        await _save(pilot, app)
        assert app.vault is not None
        assert app.vault.repo.clients.require(client_id).gender_identity == "man"
        # The profile says why the standard lists are shown.
        await wait_for(pilot, lambda: "Man or boy" in _profile_funders(app))
        assert "is not valid TOML" in _profile_funders(app)
        await pilot.press("ctrl+q")


def test_the_profile_shows_funder_answers_by_label_and_hides_them_while_sharing() -> None:
    client = Client.create(
        preferred_name=NAME,
        intake_date=TODAY,
        case_manager_id="st-1",
        age_group="age_25_59",
        victimization_types=("declined",),
        funding_source_ids=("fs-gone",),
    )
    source = FundingSource.create(name="VOCA 2026")
    shown = funders_text(client, DEFAULT_CATALOG, [source]).plain
    assert "Age group: 25 to 59" in shown
    assert "Types of harm: Declined to answer" in shown
    assert "Gender identity: not asked yet" in shown
    assert "Funding sources: a funding source no longer listed" in shown
    masked = funders_text(client, DEFAULT_CATALOG, [source], masked=True).plain
    assert "25 to 59" not in masked and "Declined" not in masked
    assert "Gender identity: not asked yet" in masked
    assert isinstance(funders_text(client, DEFAULT_CATALOG, []), Text)


def test_a_stored_mix_is_refused_by_the_record_too() -> None:
    client = Client.create(preferred_name=NAME, intake_date=TODAY, case_manager_id="st-1")
    try:
        dataclasses.replace(client, race_ethnicity=("asian", "declined"))
    except ValidationError as error:
        assert error.field == "race_ethnicity"
    else:
        raise AssertionError("a mix with 'declined' was accepted")
