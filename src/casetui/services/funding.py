"""The agency's funding sources: adding, removing, and tagging clients with them.

A client tagged with a source has their services counted under it in a
funder's report (``casetui report pmt --funding NAME``); a service can carry its
own tags instead (``ServiceRecord.funding_source_ids``).
"""

from __future__ import annotations

import dataclasses
from datetime import date

from casetui.core.choices import FundingProgram
from casetui.core.errors import VaultError
from casetui.core.funder_records import FundingSource
from casetui.core.records import Client
from casetui.core.stats.pmt_report import FundingNotFound, find_funding
from casetui.vault.repository import Repository


class FundingError(VaultError):
    """A change to the funding sources that was refused; nothing was changed."""


def find_source(repo: Repository, name: str) -> FundingSource:
    try:
        return find_funding(list(repo.funding_sources), name)
    except FundingNotFound as error:
        raise FundingError(str(error)) from None


def add_source(
    repo: Repository,
    name: str,
    *,
    program: FundingProgram = FundingProgram.OTHER,
    award_number: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> FundingSource:
    """A new funding source; refused when one of the same name is there already."""
    clean = name.strip()
    same = next((s for s in repo.funding_sources if s.name.casefold() == clean.casefold()), None)
    if same is not None:
        raise FundingError(
            f"There is already a funding source called {same.name!r}; choose another name."
        )
    source = FundingSource.create(
        name=clean,
        program=program,
        award_number=award_number,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    return repo.funding_sources.add(source)


def users_of(repo: Repository, source_id: str) -> tuple[int, int]:
    """How many clients, and how many services, are tagged with the source."""
    clients = sum(1 for c in repo.clients if source_id in c.funding_source_ids)
    services = sum(1 for s in repo.services if source_id in s.funding_source_ids)
    return clients, services


def remove_source(repo: Repository, source: FundingSource) -> None:
    """Remove a source no client or service is tagged with; refused otherwise."""
    clients, services = users_of(repo, source.id)
    if clients or services:
        counted = [
            f"{n} {noun}{'' if n == 1 else 's'}"
            for n, noun in ((clients, "client"), (services, "service"))
            if n
        ]
        raise FundingError(
            f"{' and '.join(counted)} {'is' if clients + services == 1 else 'are'} still "
            f"counted under {source.name!r}; take it off them first, so no report loses "
            "them without you knowing."
        )
    repo.funding_sources.remove(source.id)


def tag_client(repo: Repository, client: Client, source: FundingSource, *, on: bool) -> Client:
    """The client with the source added (``on``) or taken off their funding sources."""
    tags = tuple(t for t in client.funding_source_ids if t != source.id)
    if on:
        tags = (*tags, source.id)
    if tags == client.funding_source_ids:
        return client
    return repo.clients.put(dataclasses.replace(client, funding_source_ids=tags))
