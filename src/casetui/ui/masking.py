"""Screen sharing: clients shown only by calendar code, notes hidden.

While the app's ``masked`` is on, every client appears as their calendar code,
or the neutral code made from their id when they have none yet (the label an
exported calendar uses; never their initials, which identify people in a small
community), and every piece of free text a person typed about a client collapses to
:data:`HIDDEN`. Short structured fields (status, dates, counts, kinds, catalog
need names, partner names) stay, so the work can still be shown and discussed.

Screens and widgets that draw client text watch ``masked`` through
:func:`on_masking` and draw again when it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from casetui.core.labels import neutral_label
from casetui.core.records import Client, NeedItem

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from casetui.core.catalog import CatalogNeed

#: What a note, answer or description says while the screen is shared.
HIDDEN = "(hidden while screen sharing)"
#: The title-bar badge while the screen is shared.
INDICATOR = "Screen sharing: names hidden"
#: A need the case manager named themselves, while the screen is shared.
CUSTOM_NEED = "Custom need"


def is_masked(node: DOMNode) -> bool:
    """Whether the app ``node`` belongs to is hiding names and notes."""
    return bool(getattr(node.app, "masked", False))


def on_masking(node: DOMNode, callback: Callable[[bool], object]) -> None:
    """Call ``callback(masked)`` whenever screen sharing is turned on or off."""
    if hasattr(type(node.app), "masked"):
        node.watch(node.app, "masked", callback, init=False)


def client_name(client: Client, masked: bool) -> str:
    """The client's preferred name, or their calendar code while masked."""
    if masked:
        return neutral_label(client.preferred_name, client.calendar_code, client.id)
    return client.preferred_name


def stored_client_name(client_id: str, row: Mapping[str, Any], masked: bool) -> str:
    """Like :func:`client_name`, from a client's id and stored row (for quick reads)."""
    name = str(row.get("preferred_name", ""))
    if masked:
        return neutral_label(name, str(row.get("calendar_code", "")), client_id)
    return name


def free_text(text: str, masked: bool, empty: str = "—") -> str:
    """Free text as typed, :data:`HIDDEN` while masked, ``empty`` when there is none."""
    if not text:
        return empty
    return HIDDEN if masked else text


def need_label(need: NeedItem | CatalogNeed, masked: bool) -> str:
    """A need's name; one the case manager typed themselves is hidden while masked."""
    if masked and isinstance(need, NeedItem) and need.is_custom:
        return CUSTOM_NEED
    return need.label
