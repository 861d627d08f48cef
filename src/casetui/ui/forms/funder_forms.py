"""Form fields for the records kept for funders' reports: household members, services
given without a meeting, and the agency's funding sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from casetui.config.funder_lists import catalog_or_standard
from casetui.core.choices import FundingProgram, Relationship
from casetui.core.funder_catalog import (
    AGE_GROUP,
    COMPENSATION,
    SERVICES,
    Catalog,
    FieldList,
    service_label,
)
from casetui.core.funder_records import FundingSource
from casetui.ui.forms.form import FormField

#: What a funding source no longer in the list is called where it is still chosen.
GONE_SOURCE = "A funding source no longer listed"


def lists_in_use() -> Catalog:
    """The funders' lists in use; the standard ones when the agency's file cannot be used
    (the profile says why)."""
    return catalog_or_standard()[0]


def age_groups(catalog: Catalog) -> FieldList:
    return next((f for f in catalog.fields if f.field == AGE_GROUP.field), AGE_GROUP)


def household_fields(catalog: Catalog, stored_age: str = "") -> list[FormField]:
    ages = age_groups(catalog)
    options: list[tuple[str, Any]] = [(o.label, o.code) for o in ages.options]
    if stored_age and stored_age not in {code for _label, code in options}:
        options.append((ages.label(stored_age), stored_age))  # kept, never dropped unseen
    return [
        FormField(
            "relationship",
            "Relationship to the client",
            "choice",
            options=[(r.label, r) for r in Relationship],
            required=True,
        ),
        FormField(
            "age_group", "Age group", "choice", options=options, hint="Leave blank if not known."
        ),
        FormField("harmed", "Also harmed by what happened", "flag"),
        FormField("served", "Given services by the agency", "flag"),
        FormField(
            "known_as",
            "Known as",
            hint="How you know them, such as a first name or “the youngest”. "
            "For you only: never in a report.",
        ),
    ]


#: Help with a compensation application, worded as a service like the others.
COMPENSATION_TEXT = f"{COMPENSATION}. Help with a victim compensation application"


def service_text(code: str) -> str:
    """A service as the form and the Services tab show it: its code and label."""
    return COMPENSATION_TEXT if code == COMPENSATION else service_label(code)


def service_options() -> list[tuple[str, str]]:
    """Every service of the funders' list by its label, then help with compensation."""
    return [(service_text(s.code), s.code) for s in SERVICES] + [(COMPENSATION_TEXT, COMPENSATION)]


def source_options(
    sources: Sequence[FundingSource], chosen: Sequence[str] = ()
) -> list[tuple[str, Any]]:
    """The funding sources by name; one chosen before and since removed is kept."""
    named = sorted(sources, key=lambda s: s.name.casefold())
    options: list[tuple[str, Any]] = [(s.name, s.id) for s in named]
    known = {s.id for s in named}
    options += [(GONE_SOURCE, i) for i in chosen if i not in known]
    return options


def service_fields(sources: Sequence[FundingSource], chosen: Sequence[str] = ()) -> list[FormField]:
    fields = [
        FormField("on", "Date", "date", required=True),
        FormField(
            "service",
            "Service",
            "choice",
            options=service_options(),
            required=True,
            hint="From the funders' list. Type to jump to one.",
        ),
        FormField(
            "times",
            "Times given that day",
            "int",
            hint="1 to 99. A transport there and back is 2.",
        ),
    ]
    options = source_options(sources, chosen)
    if options:
        fields.append(
            FormField(
                "funding_source_ids",
                "Funding sources",
                "many",
                options=options,
                hint="Optional. Leave all unticked to count it under the client's own.",
            )
        )
    fields.append(FormField("note", "Note", "multiline"))
    return fields


def funding_source_fields() -> list[FormField]:
    return [
        FormField(
            "name",
            "Name",
            required=True,
            hint="What the agency calls it, such as VOCA 2026. Reports are asked for by it.",
        ),
        FormField(
            "program",
            "Program",
            "choice",
            options=[(p.label, p) for p in FundingProgram],
            required=True,
        ),
        FormField("award_number", "Award number"),
        FormField("starts_on", "Starts on", "date"),
        FormField("ends_on", "Ends on", "date"),
        FormField("note", "Note", "multiline"),
    ]
