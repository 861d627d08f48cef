"""From a client's profile: remove them (entered by mistake) or erase them (on their request).

Two questions, each saying what will happen: which of the two, then a confirmation
naming what goes, on every device, and what happens to the backups. The erasure's
save compacts the vault folder; the backups are then rewritten without the client,
in a worker, and the person is told when that is done.
"""

from __future__ import annotations

from typing import Any

from casetui.core.errors import VaultError
from casetui.services.removal import (
    RemovalPlan,
    backups_holding,
    plan_removal,
    remove_client,
    scrub_backups,
)
from casetui.ui.forms.choice import ChoiceScreen
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.session import session_of
from casetui.ui.worker_errors import unexpected
from casetui.vault.vault import Vault


def ask_to_remove(pane: Any, client_id: str) -> None:
    """Start the flow for the client shown in ``pane`` (a client workspace pane)."""
    session = session_of(pane.app)
    vault = session.require_vault()
    if not vault.writable:
        session.notify(
            "This session is read-only, so no client can be removed here.",
            severity="warning",
            markup=False,
        )
        return
    plan = plan_removal(vault.repo, client_id)
    name = plan.preferred_name

    def which(answer: str | None) -> None:
        if answer is not None:
            _confirm(pane, vault, plan, erase=answer == "erase")

    session.push_screen(
        ChoiceScreen(
            f"Remove {name} from the vault?",
            [
                ("m", "Entered by mistake", "mistake"),
                ("e", "Erase on their request", "erase"),
            ],
            detail=(
                f"This takes {name} and {plan.describe()} with them, on every device "
                "that shares this vault. It cannot be undone.\n\n"
                "Entered by mistake: for a duplicate. Older backups keep the records.\n"
                "Erase on their request: the records are removed from the vault folder at "
                "once, and from the backups too."
            ),
        ),
        which,
    )


def _confirm(pane: Any, vault: Vault, plan: RemovalPlan, *, erase: bool) -> None:
    session = session_of(pane.app)
    name = plan.preferred_name
    if erase:
        holding = len(backups_holding(vault, plan.records))
        backups = (
            f"The {holding} backup{'s' if holding != 1 else ''} taken before will be rewritten "
            "without them."
            if holding
            else "No backup holds them."
        )
        question = f"Erase {name}'s records for good?"
        detail = (
            f"{name} and {plan.describe()} are erased on this device now, and on the others "
            f"when they next sync. {backups} The audit trail keeps only that a client's "
            "records were erased, when, and by whom."
        )
        yes = "Erase"
    else:
        question = f"Remove {name}, entered by mistake?"
        detail = f"{name} and {plan.describe()} are removed, on every device."
        yes = "Remove"

    def answered(sure: bool | None) -> None:
        if not sure:
            return
        done = session.run_on_vault(lambda v: remove_client(v, plan, erase=erase))  # type: ignore[attr-defined]
        if not done:
            return
        session.show("caseload")
        if erase:
            pane.app.run_worker(
                lambda: _finish_erasure(pane.app, vault, plan),
                name="erase",
                group="erase",
                thread=True,
                exit_on_error=False,
            )
        else:
            session.notify(f"{name} was removed.", markup=False)

    session.push_screen(
        ConfirmScreen(question, detail, yes=yes, no="Keep them", shared_detail=""), answered
    )


def _finish_erasure(app: Any, vault: Vault, plan: RemovalPlan) -> None:
    """Save (the save compacts the folder at once), then rewrite the backups without them."""
    try:
        vault.save()
        scrub = scrub_backups(
            vault, backups_holding(vault, plan.records), plan.records, delete=False
        )
    except VaultError as error:
        app.call_from_thread(_tell, app, str(error), "error")
        return
    except Exception as error:
        app.call_from_thread(_tell, app, unexpected("erasing", error), "error")
        return
    if scrub.failed:
        shown = ", ".join(p.name for p in scrub.failed)
        app.call_from_thread(
            _tell,
            app,
            f"The records were erased from the vault, but these backups could not be "
            f"rewritten and may still hold them: {shown}. Delete them by hand.",
            "error",
        )
        return
    app.call_from_thread(
        _tell,
        app,
        "The client's records were erased from the vault folder"
        + (f" and from {len(scrub.rewritten)} backups." if scrub.rewritten else "."),
        "information",
    )


def _tell(app: Any, message: str, severity: str) -> None:
    app.notify(message, title="Erasure", severity=severity, timeout=20, markup=False)
