"""Services given to the client without a meeting, counted in funders' reports.

Meetings, referrals and legal matters are already counted as services, so this
tab holds only what they do not cover. While the screen is shared, notes are
hidden; the date, the service and its count stay.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from casetui.core.funder_records import ServiceRecord
from casetui.ui.forms.form import FormScreen
from casetui.ui.forms.funder_forms import GONE_SOURCE, service_fields, service_text
from casetui.ui.masking import free_text, is_masked
from casetui.ui.panes.record_pane import RecordPane, Removal
from casetui.ui.safe_text import labelled, short_date
from casetui.ui.widgets.row_list import Column, Row, RowList

INFO = (
    "Meetings, referrals and legal matters are already counted; record here only "
    "services they do not cover."
)


class ServicesPane(RecordPane[ServiceRecord]):
    RECORD = ServiceRecord
    ADDED = "Service recorded."
    SAVED = "Saved."
    REMOVED = "Removed."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="services.add"),
        Binding("e", "edit", "Edit", id="services.edit"),
        Binding("delete", "remove", "Remove", key_display="Del", id="services.remove"),
    ]

    DEFAULT_CSS = """
    ServicesPane #services-info { height: auto; padding: 0 1; color: $text-muted; }
    ServicesPane #services-list { height: 1fr; min-height: 5; }
    ServicesPane #service-detail {
        height: auto; max-height: 8; padding: 0 1; border-top: solid $panel;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(INFO, id="services-info", markup=False)
        yield RowList(
            [
                Column("on", "Date", 10, sort_key=lambda s: s.on),
                Column("service", "Service", 0, 20, lambda s: s.service),
                Column("times", "Times", 5, sort_key=lambda s: s.times),
            ],
            empty_text="Nothing recorded here yet. Press a to add a service.",
            id="services-list",
        )
        yield Static("", id="service-detail")

    def refresh_data(self) -> None:
        services = sorted(
            self.vault.repo.services.for_parent(self.client_id),
            key=lambda s: (s.on, s.id),
            reverse=True,
        )
        rows = [
            Row(s.id, (short_date(s.on), service_text(s.service), str(s.times)), s)
            for s in services
        ]
        self.query_one(RowList).set_rows(rows)
        self._show_detail()

    def _source_names(self, ids: tuple[str, ...]) -> str:
        names = {s.id: s.name for s in self.vault.repo.funding_sources}
        return ", ".join(names.get(i, GONE_SOURCE) for i in ids)

    @on(RowList.Highlighted)
    def _show_detail(self) -> None:
        service = self._current()
        text = Text(end="")
        if service is not None:
            text = labelled(
                [
                    ("Service", service_text(service.service)),
                    ("Counted under", self._source_names(service.funding_source_ids) or "—"),
                    ("Note", free_text(service.note, is_masked(self))),
                ]
            )
        self.query_one("#service-detail", Static).update(text)

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_edit()

    def open_form(self, service: ServiceRecord | None) -> None:
        if service is None:
            initial: dict[str, Any] = {"on": self.session.today, "times": 1}
            chosen: tuple[str, ...] = ()
        else:
            initial = {n: getattr(service, n) for n in ServiceRecord.field_names()}
            chosen = service.funding_source_ids
        fields = service_fields(self.vault.repo.funding_sources.all(), chosen)
        title = "Record a service" if service is None else "Edit service"
        self.push_form(service, FormScreen(title, fields, initial, self.builder(service)))

    def removal(self, service: ServiceRecord) -> Removal:
        return Removal(
            f"Remove this service from {short_date(service.on)}?",
            f"{service_text(service.service)}. It will no longer be counted. "
            "Removing cannot be undone.",
        )
