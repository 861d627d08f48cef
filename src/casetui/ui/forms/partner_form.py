"""The form for adding or editing a partner agency.

The directory opens it, and so does referring a client while the directory is empty.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from casetui.core.choices import ServiceKind
from casetui.core.records import Partner
from casetui.services import casework
from casetui.ui.forms.casework_fields import partner_fields
from casetui.ui.forms.form import FormScreen

if TYPE_CHECKING:
    from casetui.ui.session import Session


def open_partner_form(
    app: Session,
    partner: Partner | None,
    saved: Callable[[Partner], object],
    *,
    intro: str = "",
) -> None:
    """Add a partner (``partner`` None) or edit one; ``saved(partner)`` once it is stored.

    The directory opens it, and so does referring a client while the directory is empty.
    """

    def build(values: dict[str, Any]) -> Partner:
        if partner is None:
            if not values.get("confidential_location"):
                # Left unticked on a new partner: its kind decides (on for shelters).
                values = {k: v for k, v in values.items() if k != "confidential_location"}
            return Partner.create(**values)
        return dataclasses.replace(partner, **values)

    def done(result: Partner | None) -> None:
        if result is None or result == partner:
            return
        if app.write(casework.save, result):
            app.notify("Partner saved.", markup=False, timeout=3)
            saved(result)

    initial: dict[str, Any] = (
        {"kind": ServiceKind.OTHER}
        if partner is None
        else {n: getattr(partner, n) for n in Partner.field_names() if n != "id"}
    )
    title = "New partner" if partner is None else f"Edit {partner.name}"
    app.push_screen(FormScreen(title, partner_fields(), initial, build, intro=intro), done)
