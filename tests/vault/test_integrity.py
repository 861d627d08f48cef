"""The rules on links are the same when writing as when checking the vault."""

from __future__ import annotations

from datetime import date

import pytest

from casetui.core.errors import VaultError
from casetui.core.records import Client, Goal, Meeting, NeedItem
from casetui.vault.vault import Vault

ON = date(2027, 1, 10)


def add_client(vault: Vault, name: str) -> Client:
    owner = vault.owner_staff_id
    assert owner is not None
    return vault.repo.clients.add(
        Client.create(preferred_name=name, intake_date=date(2027, 1, 3), case_manager_id=owner)
    )


def housing(client_id: str) -> NeedItem:
    return NeedItem.create(
        client_id=client_id, label="Housing", horizon="short_term", domain="physical"
    )


def test_a_goal_linked_to_another_clients_need_is_refused(vault: Vault) -> None:
    mine, theirs = add_client(vault, "Farah Willowmere"), add_client(vault, "Other Person")
    need = vault.repo.needs.add(housing(theirs.id))
    before = vault.repo.storage.generation
    goal = Goal.create(client_id=mine.id, text="Find a flat", linked_needs=(need.id,))
    with pytest.raises(VaultError, match=r"^This goal lists another client's need") as refused:
        vault.repo.goals.put(goal)
    assert str(refused.value).count(".") == 1  # one sentence
    assert len(vault.repo.goals) == 0
    assert vault.repo.storage.generation == before
    assert vault.problems() == []


def test_a_meeting_discussing_another_clients_goal_is_refused(vault: Vault) -> None:
    mine, theirs = add_client(vault, "Farah Willowmere"), add_client(vault, "Other Person")
    goal = vault.repo.goals.add(Goal.create(client_id=theirs.id, text="Find a flat"))
    before = vault.repo.storage.generation
    meeting = Meeting.create(client_id=mine.id, on=ON, goals_discussed=(goal.id,))
    with pytest.raises(VaultError, match=r"^This meeting lists another client's goal") as refused:
        vault.repo.put_all([meeting])
    assert str(refused.value).count(".") == 1
    assert len(vault.repo.meetings) == 0
    assert vault.repo.storage.generation == before
    assert vault.problems() == []


def test_own_clients_links_are_written(vault: Vault) -> None:
    mine = add_client(vault, "Farah Willowmere")
    need = vault.repo.needs.add(housing(mine.id))
    goal = vault.repo.goals.add(
        Goal.create(client_id=mine.id, text="Find a flat", linked_needs=(need.id,))
    )
    vault.repo.meetings.add(Meeting.create(client_id=mine.id, on=ON, goals_discussed=(goal.id,)))
    assert vault.problems() == []
