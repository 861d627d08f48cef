"""Fields changed on two devices at once, each keeping "2 versions" until someone chooses.

The vault shows the later version everywhere and keeps the other here. Enter on a
field asks which to keep; the choice is saved like any edit, and every device
follows it. While the screen is shared, the values are hidden.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.ui.forms.choice import ChoiceScreen
from casetui.ui.masking import is_masked, on_masking, stored_client_name
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.widgets.row_list import Column, Row, RowList
from casetui.vault.persistence import Conflict
from casetui.vault.vault import Vault

HIDDEN = "(hidden while sharing)"


def shown_value(value: Any, width: int = 60) -> str:
    """A version's value on one line: text as it is, anything else as compact JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = one_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def record_label(vault: Vault, conflict: Conflict, *, masked: bool) -> str:
    """Whose record it is, as the rest of the app names them."""
    repo = vault.repo
    cls = RECORD_BY_TABLE.get(conflict.table)
    noun = cls.NOUN if cls is not None else "record"
    clients = repo.clients.raw()
    if conflict.table == "clients":
        raw = clients.get(conflict.record_id)
        return stored_client_name(conflict.record_id, raw, masked) if raw else "a client"
    row = repo.table(conflict.table).raw().get(conflict.record_id) or {}
    client_id = row.get("client_id")
    raw = clients.get(client_id) if isinstance(client_id, str) else None
    if raw is not None and isinstance(client_id, str):
        return f"{stored_client_name(client_id, raw, masked)}: {noun}"
    return noun.capitalize()


class VersionsScreen(ShowsRecords, CaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="versions.back"),
        Binding("enter", "choose", "Choose a version", id="versions.choose"),
    ]

    DEFAULT_CSS = """
    VersionsScreen #versions-list { height: 1fr; min-height: 5; }
    VersionsScreen #versions-note { height: auto; padding: 0 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield from self.chrome("versions", "2 versions to choose between")
        yield Static(
            "Each of these was changed on two devices before either saw the other's change. "
            "The later one is shown everywhere; choose which to keep.",
            id="versions-note",
        )
        yield RowList(
            [
                Column("record", "Record", 22),
                Column("field", "Field", 16),
                Column("shown", "Shown now", 0, 16),
                Column("other", "Other version", 0, 16),
            ],
            empty_text="Nothing to choose: every field has one version.",
            id="versions-list",
        )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload_records()
        self.query_one(RowList).focus()
        on_masking(self, lambda _masked: self.reload_records())

    def reload_records(self) -> None:
        vault = self.case_app.require_vault()
        masked = is_masked(self)
        rows = []
        for conflict in vault.conflicts():
            shown, other = conflict.versions[0].value, conflict.versions[1].value
            rows.append(
                Row(
                    f"{conflict.table}/{conflict.record_id}/{conflict.field}",
                    (
                        record_label(vault, conflict, masked=masked),
                        conflict.field.replace("_", " "),
                        HIDDEN if masked else shown_value(shown),
                        HIDDEN if masked else shown_value(other),
                    ),
                    conflict,
                )
            )
        self.query_one(RowList).set_rows(rows)

    @on(RowList.Chosen)
    def action_choose(self) -> None:
        row = self.query_one(RowList).current
        if row is None:
            return
        conflict: Conflict = row.data
        if is_masked(self):
            self.notify(
                "The versions are hidden while the screen is shared; stop sharing (F9) to choose.",
                severity="warning",
                markup=False,
            )
            return
        vault = self.case_app.require_vault()
        answers = [
            (str(n), shown_value(v.value, 24), str(n - 1))
            for n, v in enumerate(conflict.versions[:3], start=1)
        ]
        detail = "\n".join(
            f"{n}. {shown_value(v.value, 200)}" for n, v in enumerate(conflict.versions, start=1)
        )
        label = record_label(vault, conflict, masked=False)
        question = f"Which {conflict.field.replace('_', ' ')} should {label} keep?"

        def chosen(answer: str | None) -> None:
            if answer is None:
                return
            value = conflict.versions[int(answer)].value
            self.case_app.run_on_vault(
                lambda v: v.choose_version(
                    conflict.table, conflict.record_id, conflict.field, value
                )
            )

        self.app.push_screen(ChoiceScreen(question, answers, detail), chosen)

    def action_back(self) -> None:
        self.case_app.go_back()
