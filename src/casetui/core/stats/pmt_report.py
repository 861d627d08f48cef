"""The quarterly figures of the federal victim-services Performance Measurement Tool.

For the funder's portal, not for publication: counts are exact (the PMT asks for
exact counts), and nothing in the report names, codes or identifies a person.
``report stats`` stays the suppressed, publishable report.

How each figure is worked out (the README has the same, for the person filing):

- **Served** in the period: a client given at least one service in it (see
  ``service_events``: meetings, referrals, accompaniments, legal steps and
  services recorded on their own), under the funding source asked for.
- **New**: the client's first service in a federal fiscal year (1 October to 30
  September) falls in the period. Everyone is new again at their first service
  in a new year, so a client served in September and again in October is new
  in both years.
- **Demographics** are of the new clients; victimization types and special
  classifications of everyone served. A client who gave several races or
  ethnicities is counted once, under "Multiple Races".
- **Services** by category: people (each once per category), and the number of
  times each service was given.
- **Secondary victims**: household members marked as harmed and served, of the
  clients served in the period. They are counted, never shown.
- Everything is **as of the period's end**: work dated after it is left out, so
  a report for a past quarter gives the same figures when run again (unless
  records of that quarter were changed since).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from casetui.core import funder_catalog as fc
from casetui.core.funder_records import FundingSource, HouseholdMember
from casetui.core.records import Client, Record
from casetui.core.stats.service_events import ServiceEvent, service_events
from casetui.core.stats.tally import of_type

#: The federal fiscal year starts on 1 October.
FFY_START_MONTH = 10


@dataclass(frozen=True, slots=True)
class FederalQuarter:
    year: int  # the federal fiscal year, named by the calendar year it ends in
    number: int
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"FFY{self.year} Q{self.number}"


def federal_quarter(day: date) -> FederalQuarter:
    """The federal fiscal-year quarter ``day`` falls in: Q1 is October to December."""
    year = day.year + 1 if day.month >= FFY_START_MONTH else day.year
    number = ((day.month - FFY_START_MONTH) % 12) // 3 + 1
    first_month = (FFY_START_MONTH - 1 + 3 * (number - 1)) % 12 + 1
    start = date(year - 1 if first_month >= FFY_START_MONTH else year, first_month, 1)
    after = date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
    return FederalQuarter(year, number, start, after - timedelta(days=1))


def last_ended_quarter(today: date) -> FederalQuarter:
    """The latest federal quarter that ended before ``today`` (the one to file)."""
    return federal_quarter(federal_quarter(today).start - timedelta(days=1))


def federal_year_start(day: date) -> date:
    """1 October of the federal fiscal year ``day`` falls in."""
    return date(day.year if day.month >= FFY_START_MONTH else day.year - 1, FFY_START_MONTH, 1)


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Section:
    """One question of the PMT, with its rows in the PMT's order."""

    key: str
    title: str
    rows: tuple[Row, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class PmtReport:
    start: date
    end: date
    label: str
    funding: str
    sections: tuple[Section, ...]
    #: How many new clients have each field not given, for completing before filing.
    quality: tuple[Section, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section:
        return next(s for s in (*self.sections, *self.quality) if s.key == key)

    def count(self, key: str, label: str) -> int:
        return next(r.count for r in self.section(key).rows if r.label == label)


class FundingNotFound(ValueError):
    """No funding source has the name asked for; the message lists those there are."""


def find_funding(sources: Sequence[FundingSource], name: str) -> FundingSource:
    """The source called ``name`` (any case; the start of one name is enough)."""
    wanted = name.strip().casefold()
    exact = [s for s in sources if s.name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    starting = [s for s in sources if s.name.casefold().startswith(wanted)] if wanted else []
    if len(starting) == 1:
        return starting[0]
    names = ", ".join(repr(s.name) for s in sources) or "none yet"
    many = " matches several" if len(starting) > 1 else " matches none"
    raise FundingNotFound(
        f"{name[:60]!r}{many} of the agency's funding sources ({names}); give one name."
    )


def pmt_report(
    tables: Mapping[str, Sequence[Record]],
    start: date,
    end: date,
    *,
    services_map: Mapping[str, str],
    catalog: fc.Catalog = fc.DEFAULT_CATALOG,
    funding: FundingSource | None = None,
    label: str | None = None,
    as_of: date | None = None,
) -> PmtReport:
    """The PMT's quarterly figures for ``start``..``end`` (both included).

    ``as_of`` (today) leaves out work dated after it: a meeting planned for later in
    a quarter not yet over has not happened.
    """
    clients = {c.id: c for c in of_type(tables, Client)}
    until = end if as_of is None else min(end, as_of)
    events = [
        e for e in service_events(tables, services_map, until=until) if e.client_id in clients
    ]
    if funding is not None:
        events = [e for e in events if _funded(e, clients[e.client_id], funding.id)]
    in_period = [e for e in events if start <= e.on <= end]
    served = sorted({e.client_id for e in in_period})
    new = sorted(_new_clients(events, start, end))
    people = [clients[c] for c in served]
    newcomers = [clients[c] for c in new]
    household = [
        h for h in of_type(tables, HouseholdMember) if h.client_id in set(served) and h.harmed
    ]
    secondary = sum(1 for h in household if h.served)
    sections = (
        Section(
            "served",
            "Individuals who received services during the reporting period",
            (
                Row("Individuals who received services", len(served) + secondary),
                Row("  of them, clients (primary victims)", len(served)),
                Row("  of them, secondary victims (household members also harmed)", secondary),
                Row("New individuals who received services for the first time this year", len(new)),
            ),
            "A client is new at their first service in a federal fiscal year (1 October to "
            "30 September). Secondary victims are counted with the clients they live with.",
        ),
        _demographics(newcomers, catalog),
        _victimizations(people, catalog),
        _classifications(people, catalog),
        _compensation(in_period),
        *_services(in_period),
    )
    return PmtReport(
        start,
        end,
        label or f"{start:%Y-%m-%d} to {end:%Y-%m-%d}",
        funding.name if funding is not None else "all funding sources",
        sections,
        (_quality(newcomers, catalog),),
    )


def _funded(event: ServiceEvent, client: Client, source_id: str) -> bool:
    tags = event.funding_source_ids or client.funding_source_ids
    return source_id in tags


def _new_clients(events: Iterable[ServiceEvent], start: date, end: date) -> set[str]:
    """Clients whose first service in some federal fiscal year falls in start..end."""
    first: dict[tuple[str, date], date] = {}
    for e in events:
        key = (e.client_id, federal_year_start(e.on))
        if key not in first or e.on < first[key]:
            first[key] = e.on
    return {client for (client, _year), day in first.items() if start <= day <= end}


def _given(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """The choices actually made (not "not reported" or "declined")."""
    chosen = (value,) if isinstance(value, str) else value
    return tuple(c for c in chosen if c and c not in (fc.NOT_REPORTED, fc.DECLINED))


def _one_row(field_list: fc.FieldList, value: str) -> str:
    option = field_list.option(value) if value else None
    return option.report if option is not None else fc.PMT_NOT_REPORTED


def _counted(
    key: str, title: str, rows: Sequence[str], counts: Counter[str], note: str = ""
) -> Section:
    ordered = list(dict.fromkeys(rows))
    extra = [label for label in counts if label not in ordered]
    return Section(
        key, title, tuple(Row(label, counts.get(label, 0)) for label in (*ordered, *extra)), note
    )


def _demographics(newcomers: Sequence[Client], catalog: fc.Catalog) -> Section:
    race, gender, age = (
        catalog.of("race_ethnicity"),
        catalog.of("gender_identity"),
        catalog.of("age_group"),
    )
    counts: Counter[str] = Counter()
    for client in newcomers:
        races = [o for o in (race.option(c) for c in _given(client.race_ethnicity)) if o]
        counts[
            "Race/Ethnicity: "
            + (
                fc.MULTIPLE_RACES
                if len(races) > 1
                else races[0].report
                if races
                else fc.PMT_NOT_REPORTED
            )
        ] += 1
        counts["Gender Identity: " + _one_row(gender, client.gender_identity)] += 1
        counts["Age: " + _one_row(age, client.age_group)] += 1
    rows = [
        *(f"Race/Ethnicity: {o.report}" for o in race.options),
        f"Race/Ethnicity: {fc.MULTIPLE_RACES}",
        f"Race/Ethnicity: {fc.PMT_NOT_REPORTED}",
        *(f"Gender Identity: {o.report}" for o in gender.options),
        f"Gender Identity: {fc.PMT_NOT_REPORTED}",
        *(f"Age: {o.report}" for o in age.options),
        f"Age: {fc.PMT_NOT_REPORTED}",
    ]
    return _counted(
        "demographics",
        "Demographics of new individuals",
        rows,
        counts,
        "Each part adds up to the new individuals. 'Not Reported' counts both "
        "'declined to answer' and not asked yet.",
    )


def _victimizations(people: Sequence[Client], catalog: fc.Catalog) -> Section:
    types = catalog.of("victimization_types")
    counts: Counter[str] = Counter()
    several = 0
    for client in people:
        # A code the list in use does not know is left to the data quality section.
        given = [c for c in _given(client.victimization_types) if types.option(c)]
        several += len(given) > 1
        for code in given:
            counts[_one_row(types, code)] += 1
        if not given:
            counts[fc.PMT_NOT_REPORTED] += 1
    section = _counted(
        "victimization",
        "Types of victimization (everyone served)",
        [o.report for o in types.options] + [fc.PMT_NOT_REPORTED],
        counts,
        "A person harmed in several ways is counted under each.",
    )
    rows = (*section.rows, Row("Individuals with more than one type of victimization", several))
    return Section(section.key, section.title, rows, section.note)


def _classifications(people: Sequence[Client], catalog: fc.Catalog) -> Section:
    special = catalog.of("special_classifications")
    counts: Counter[str] = Counter()
    for client in people:
        for code in _given(client.special_classifications):
            option = special.option(code)
            if option is not None and code != "none":
                counts[option.report] += 1
    return _counted(
        "classifications",
        "Special classifications of individuals (everyone served)",
        [o.report for o in special.options if o.code != "none"],
        counts,
        "As the client described themselves; a person may be in several.",
    )


def _compensation(in_period: Sequence[ServiceEvent]) -> Section:
    helped = {e.client_id for e in in_period if e.service == fc.COMPENSATION}
    return Section(
        "compensation",
        "Direct services",
        (Row(fc.COMPENSATION_LABEL, len(helped)),),
    )


def _services(in_period: Sequence[ServiceEvent]) -> list[Section]:
    out = []
    for letter, name in fc.CATEGORIES.items():
        mine = [e for e in in_period if e.service.startswith(letter)]
        times: Counter[str] = Counter()
        for e in mine:
            times[e.service] += e.times
        rows = [
            Row(
                "Individuals who received services in this category",
                len({e.client_id for e in mine}),
            )
        ]
        rows += [
            Row(f"{s.code}. {s.label}", times.get(s.code, 0))
            for s in fc.SERVICES
            if s.category == letter
        ]
        out.append(
            Section(
                f"services_{letter}",
                f"{letter}. {name}",
                tuple(rows),
                "People are counted once in the category; each service by the number of "
                "times it was given.",
            )
        )
    return out


def _quality(newcomers: Sequence[Client], catalog: fc.Catalog) -> Section:
    rows = []
    for field_list in catalog.fields:
        values = [getattr(c, field_list.field) for c in newcomers]
        not_asked = sum(1 for v in values if not _given(v) and fc.DECLINED not in _as_tuple(v))
        declined = sum(1 for v in values if fc.DECLINED in _as_tuple(v))
        unknown = sum(1 for v in values if any(field_list.option(c) is None for c in _as_tuple(v)))
        rows.append(Row(f"{field_list.heading}: not asked yet or not known", not_asked))
        rows.append(Row(f"{field_list.heading}: declined to answer", declined))
        if unknown:
            rows.append(Row(f"{field_list.heading}: a choice this list does not know", unknown))
    return Section(
        "quality",
        "Data quality: new individuals with a field not given",
        tuple(rows),
        "Complete what you can from the client's profile before filing; never ask only "
        "for the report, and 'declined to answer' is a complete answer.",
    )


def _as_tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    return value
