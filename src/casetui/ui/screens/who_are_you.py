""" "Which case manager are you?": asked when a vault has no case manager of its own.

A vault made with ``casetui init`` (without ``--name``) and filled with ``casetui
import`` holds case managers, but none of them is the person at the keyboard, so
"My caseload" would be empty. This asks once, lists the case managers, and makes the
chosen one the vault's own (``Vault.set_owner``, saved in the app's save worker).
"None of these" shows everyone's clients instead, with a line saying why; so does a
read-only session, which cannot record the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from casetui.core.records import Staff
from casetui.core.rules import staff_by_name
from casetui.services import casework
from casetui.ui.safe_text import one_line

if TYPE_CHECKING:
    from casetui.ui.session import Session
    from casetui.vault.vault import Vault


class Caseload(Protocol):
    """What is asked of the caseload showing under the question."""

    def show_everyone(self, why: str) -> None: ...

    def show_mine(self) -> None: ...


#: The option that says "none of these": not a staff id (those start with ``st_``).
EVERYONE = "-everyone"

#: Set on the app once the person has said "none of these", so that unlocking again
#: after a lock does not ask a second time.
DECLINED = "_casetui_owner_declined"

#: Shown above everyone's clients when the vault has no case manager of its own.
NO_OWNER_LINE = "This vault has no case manager of its own, so everyone's clients are shown."
READ_ONLY_LINE = "Read-only, with no case manager of its own: everyone's clients are shown."


class WhoAreYouScreen(ModalScreen[str | None]):
    """Dismisses with the chosen case manager's id, or None for "show everyone"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Choose", id="who.choose"),
        Binding("escape", "everyone", "Show everyone", id="who.everyone"),
    ]

    DEFAULT_CSS = """
    WhoAreYouScreen { align: center middle; }
    WhoAreYouScreen > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 2;
    }
    WhoAreYouScreen #who-title { text-style: bold; color: $primary; }
    WhoAreYouScreen #who-hint { color: $text-muted; padding-bottom: 1; }
    WhoAreYouScreen OptionList { height: auto; max-height: 14; }
    """

    def __init__(self, staff: list[Staff]) -> None:
        super().__init__()
        self.staff = staff_by_name(staff)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Which case manager are you?", id="who-title")
            yield Static(
                "Your clients will show under My caseload. You can look at everyone's "
                "at any time with m.",
                id="who-hint",
            )
            options = [Option(one_line(person.name), id=person.id) for person in self.staff]
            options.append(Option("None of these: show everyone's clients", id=EVERYONE))
            yield OptionList(*options, id="who-list")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        box = self.query_one("#who-list", OptionList)
        box.highlighted = 0
        box.focus()

    @on(OptionList.OptionSelected, "#who-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = event.option.id
        self.dismiss(None if chosen in (None, EVERYONE) else chosen)

    def action_choose(self) -> None:
        self.query_one("#who-list", OptionList).action_select()

    def action_everyone(self) -> None:
        self.dismiss(None)


def ask_who_you_are(app: Session, vault: Vault, caseload: Caseload) -> None:
    """On opening a vault with no case manager of its own: ask, or show everyone.

    ``caseload`` already shows everyone's clients, with the line saying why; choosing
    a case manager records them as the vault's own and shows their caseload.
    """
    staff = list(vault.repo.staff.all())
    if not vault.writable:
        caseload.show_everyone(READ_ONLY_LINE)
        return
    caseload.show_everyone(NO_OWNER_LINE)
    if not staff or getattr(app, DECLINED, False):
        # Nobody to choose from ("n" says to add a case manager first), or this
        # session already said "none of these": asked once, not on every unlock.
        return

    def chosen(staff_id: str | None) -> None:
        if staff_id is None:
            setattr(app, DECLINED, True)
            return
        if app.vault is not vault or staff_id not in vault.repo.staff:
            return
        if not app.write(casework.set_owner, staff_id):
            return  # the session said why
        app.owner_id = staff_id
        caseload.show_mine()
        name = vault.repo.staff.require(staff_id).name
        app.notify(
            f"This is now {name}'s caseload; m shows everyone's clients.",
            title="My caseload",
            markup=False,
        )

    app.push_screen(WhoAreYouScreen(staff), chosen)
