# ruff: noqa: E501  (the funders' own wording, kept on one line each)
"""What funders count, in their own categories and wording: one place for all of it.

The lists follow the Performance Measurement Tool (PMT) of the US Office for
Victims of Crime, which VOCA victim-assistance subgrantees report to every
quarter: its victimization types, the demographics of new victims (race and
ethnicity, gender identity, age), the special classifications of individuals,
and the services in its five categories (A to E). Many state administering
agencies use the same lists; one that words or extends them differently can
replace any list (see :func:`catalog_from`, read from ``funder_categories.toml``
beside ``config.toml``).

Each option has a stable code (what a record stores), the words the profile
form shows, and the PMT's own row it is counted under. Every person-level field
also has two answers of its own: "not reported" (not asked, or not known) and
"declined to answer". The PMT counts both as "Not Reported"; nothing is ever
required, and never a condition of service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NOT_REPORTED = "not_reported"
DECLINED = "declined"
#: The PMT's row for an answer not given (asked and declined, or never asked).
PMT_NOT_REPORTED = "Not Reported"
#: The PMT's row for a field the agency does not collect at all.
PMT_NOT_TRACKED = "Not Tracked"

CODE = re.compile(r"[a-z0-9_]{1,40}")


@dataclass(frozen=True, slots=True)
class Option:
    """One choice: what is stored, what the form says, and the row it is counted in."""

    code: str
    label: str
    report: str


@dataclass(frozen=True, slots=True)
class FieldList:
    """The choices of one client field."""

    field: str
    #: The PMT's heading for it.
    heading: str
    #: How the profile form asks, in plain words.
    question: str
    options: tuple[Option, ...]
    #: Several may be chosen (a person may be harmed in more than one way).
    several: bool

    def option(self, code: str) -> Option | None:
        return next((o for o in self.all_options() if o.code == code), None)

    def all_options(self) -> tuple[Option, ...]:
        """The options, then "not reported" and "declined to answer"."""
        return (*self.options, *ANSWERS)

    def label(self, code: str) -> str:
        found = self.option(code)
        return found.label if found else code.replace("_", " ")


ANSWERS = (
    Option(NOT_REPORTED, "Not reported", PMT_NOT_REPORTED),
    Option(DECLINED, "Declined to answer", PMT_NOT_REPORTED),
)


def _options(*rows: tuple[str, str, str]) -> tuple[Option, ...]:
    return tuple(Option(code, label, report) for code, label, report in rows)


VICTIMIZATION = FieldList(
    "victimization_types",
    "Types of victimization",
    "What the client has been harmed by (several may apply)",
    _options(
        (
            "adult_physical_assault",
            "Physical assault (adult)",
            "Adult Physical Assault (includes Aggravated and Simple Assault)",
        ),
        ("adult_sexual_assault", "Sexual assault (adult)", "Adult Sexual Assault"),
        (
            "adult_abused_as_child",
            "Sexual abuse in childhood (now an adult)",
            "Adults Sexually Abused/Assaulted as Children",
        ),
        ("arson", "Arson", "Arson"),
        (
            "bullying",
            "Bullying (verbal, cyber or physical)",
            "Bullying (Verbal, Cyber, or Physical)",
        ),
        ("burglary", "Burglary", "Burglary"),
        (
            "child_physical_abuse",
            "Child physical abuse or neglect",
            "Child Physical Abuse or Neglect",
        ),
        ("child_pornography", "Child sexual abuse material", "Child Pornography"),
        ("child_sexual_abuse", "Child sexual abuse or assault", "Child Sexual Abuse/Assault"),
        (
            "domestic_family_violence",
            "Domestic or family violence",
            "Domestic and/or Family Violence",
        ),
        ("dui_dwi", "Impaired-driving incident", "DUI/DWI Incidents"),
        ("elder_abuse", "Elder abuse or neglect", "Elder Abuse or Neglect"),
        (
            "hate_crime",
            "Hate crime",
            "Hate Crime: Racial/Religious/Gender/Sexual Orientation/Other",
        ),
        ("trafficking_labor", "Human trafficking: labor", "Human Trafficking: Labor"),
        ("trafficking_sex", "Human trafficking: sex", "Human Trafficking: Sex"),
        (
            "identity_theft_fraud",
            "Identity theft, fraud or financial crime",
            "Identity Theft/Fraud/Financial Crime",
        ),
        ("kidnapping_noncustodial", "Kidnapping (non-custodial)", "Kidnapping (noncustodial)"),
        ("kidnapping_custodial", "Kidnapping (custodial)", "Kidnapping (custodial)"),
        ("mass_violence", "Mass violence", "Mass Violence (Domestic/International)"),
        (
            "other_vehicular",
            "Other vehicular harm (such as hit and run)",
            "Other Vehicular Victimization (e.g., Hit and Run)",
        ),
        ("robbery", "Robbery", "Robbery"),
        ("stalking_harassment", "Stalking or harassment", "Stalking/Harassment"),
        ("homicide_survivor", "Survivor of a homicide victim", "Survivors of Homicide Victims"),
        ("teen_dating", "Teen dating violence", "Teen Dating Victimization"),
        ("terrorism", "Terrorism", "Terrorism (Domestic/International)"),
        ("other", "Another kind of harm", "Other"),
    ),
    several=True,
)

RACE_ETHNICITY = FieldList(
    "race_ethnicity",
    "Race/Ethnicity",
    "How the client describes their race or ethnicity (several may apply)",
    _options(
        (
            "american_indian_alaska_native",
            "American Indian or Alaska Native",
            "American Indian or Alaska Native",
        ),
        ("asian", "Asian", "Asian"),
        ("black_african_american", "Black or African American", "Black or African American"),
        ("hispanic_latino", "Hispanic or Latino/a/e", "Hispanic or Latino"),
        (
            "native_hawaiian_pacific_islander",
            "Native Hawaiian or Pacific Islander",
            "Native Hawaiian or Other Pacific Islander",
        ),
        ("white", "White (not Latino/a/e)", "White Non-Latino or Caucasian"),
        ("another_race", "Another race or ethnicity", "Some Other Race"),
    ),
    several=True,
)
#: The PMT's row for a person who gave more than one race or ethnicity.
MULTIPLE_RACES = "Multiple Races"

GENDER_IDENTITY = FieldList(
    "gender_identity",
    "Gender Identity",
    "The client's gender, in their words' nearest match",
    _options(
        ("woman", "Woman or girl", "Female"),
        ("man", "Man or boy", "Male"),
        ("another_gender", "Another gender identity (such as non-binary or two-spirit)", "Other"),
    ),
    several=False,
)

AGE_GROUP = FieldList(
    "age_group",
    "Age",
    "The client's age group when they first came to the agency",
    _options(
        ("age_0_12", "0 to 12", "0-12"),
        ("age_13_17", "13 to 17", "13-17"),
        ("age_18_24", "18 to 24", "18-24"),
        ("age_25_59", "25 to 59", "25-59"),
        ("age_60_up", "60 and older", "60 and Older"),
    ),
    several=False,
)

SPECIAL_CLASSIFICATIONS = FieldList(
    "special_classifications",
    "Special classifications of individuals",
    "Anything the client told you that funders ask about (several may apply)",
    _options(
        ("deaf_hard_of_hearing", "Deaf or hard of hearing", "Deaf/Hard of Hearing"),
        ("homeless", "Without a home", "Homeless"),
        (
            "immigrant_refugee_asylum",
            "Immigrant, refugee or asylum seeker",
            "Immigrants/Refugees/Asylum Seekers",
        ),
        ("lgbtq", "LGBTQ+", "LGBTQ"),
        ("veteran", "Veteran", "Veterans"),
        (
            "disability",
            "Lives with a disability (cognitive, physical or mental)",
            "Victims with Disabilities: Cognitive/Physical/Mental",
        ),
        ("limited_english", "Limited English", "Victims with Limited English Proficiency"),
        ("other_classification", "Something else funders ask about", "Other"),
        ("none", "None of these", "None of these"),
    ),
    several=True,
)

#: The person-level fields, in the order the profile form asks and the report counts.
PERSON_FIELDS: tuple[FieldList, ...] = (
    VICTIMIZATION,
    AGE_GROUP,
    GENDER_IDENTITY,
    RACE_ETHNICITY,
    SPECIAL_CLASSIFICATIONS,
)


@dataclass(frozen=True, slots=True)
class Service:
    """One service of the PMT's list: counted by the number of times it was provided."""

    code: str
    label: str

    @property
    def category(self) -> str:
        return self.code[0]


CATEGORIES: dict[str, str] = {
    "A": "Information & Referral",
    "B": "Personal Advocacy/Accompaniment",
    "C": "Emotional Support or Safety Services",
    "D": "Shelter/Housing Services",
    "E": "Criminal/Civil Justice System Assistance",
}

SERVICES: tuple[Service, ...] = tuple(
    Service(code, label)
    for code, label in (
        ("A1", "Information about the criminal justice process"),
        ("A2", "Information about victim rights, how to obtain notifications, etc."),
        ("A3", "Referral to other victim service programs"),
        (
            "A4",
            "Referral to other services, supports, and resources (includes legal, medical, faith-based organizations, address confidentiality programs, etc.)",
        ),
        ("B1", "Victim advocacy/accompaniment to emergency medical care"),
        ("B2", "Victim advocacy/accompaniment to medical forensic exam"),
        ("B3", "Law enforcement interview advocacy/accompaniment"),
        (
            "B4",
            "Individual advocacy (e.g., assistance in applying for public benefits, return of personal property or effects)",
        ),
        (
            "B5",
            "Performance of medical or nonmedical forensic exam or interview, or medical evidence collection",
        ),
        (
            "B6",
            "Immigration assistance (e.g., special visas, continued presence application, and other immigration relief)",
        ),
        ("B7", "Intervention with employer, creditor, landlord, or academic institution"),
        ("B8", "Child or dependent care assistance (includes coordination of services)"),
        ("B9", "Transportation assistance (includes coordination of services)"),
        ("B10", "Interpreter services"),
        ("C1", "Crisis intervention (in-person, includes safety planning, etc.)"),
        ("C2", "Hotline/crisis line counseling"),
        ("C3", "On-scene crisis response (e.g., community crisis response)"),
        ("C4", "Individual counseling"),
        ("C5", "Support groups (facilitated or peer)"),
        (
            "C6",
            "Other therapy (traditional, cultural, or alternative healing; art, writing, or play therapy, etc.)",
        ),
        ("C7", "Emergency financial assistance"),
        ("D1", "Emergency shelter or safe house"),
        ("D2", "Transitional housing"),
        ("D3", "Relocation assistance (includes assistance with obtaining housing)"),
        (
            "E1",
            "Notification of criminal justice events (e.g., case status, arrest, court proceedings, case disposition, release, etc.)",
        ),
        ("E2", "Victim impact statement assistance"),
        (
            "E3",
            "Assistance with restitution (includes assistance in requesting and when collection efforts are not successful)",
        ),
        ("E4", "Civil legal assistance in obtaining protection or restraining order"),
        (
            "E5",
            "Civil legal assistance with family law issues (e.g., custody, visitation, or support)",
        ),
        ("E6", "Other emergency justice-related assistance"),
        ("E7", "Immigration attorney assistance"),
        (
            "E8",
            "Prosecution interview advocacy/accompaniment (includes accompaniment with prosecuting attorney and with victim/witness)",
        ),
        ("E9", "Law enforcement interview advocacy/accompaniment"),
        ("E10", "Criminal advocacy/accompaniment"),
        ("E11", "Other legal advice and/or counsel"),
    )
)
SERVICE_BY_CODE: dict[str, Service] = {s.code: s for s in SERVICES}
#: Not a service of A to E: the PMT asks for the people helped with a victim
#: compensation application on a line of its own.
COMPENSATION = "VC"
COMPENSATION_LABEL = "Individuals assisted with a victim compensation application"
#: Every code a service may be recorded under.
SERVICE_CODES = frozenset({*SERVICE_BY_CODE, COMPENSATION})


def service_label(code: str) -> str:
    if code == COMPENSATION:
        return COMPENSATION_LABEL
    found = SERVICE_BY_CODE.get(code)
    return f"{code}. {found.label}" if found else code


# -- a state's own lists ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Catalog:
    """The lists in use: the PMT's, or a state's variant of some of them."""

    fields: tuple[FieldList, ...] = PERSON_FIELDS

    def of(self, field: str) -> FieldList:
        return next(f for f in self.fields if f.field == field)


DEFAULT_CATALOG = Catalog()


class CatalogError(ValueError):
    """A variant list that cannot be used, said in one sentence."""


def catalog_from(data: Mapping[str, Any], source: str = "funder_categories.toml") -> Catalog:
    """The PMT's lists with any replaced by ``data``: for each field, a list of tables
    ``{code = "…", label = "…", report = "…"}`` (``report`` defaults to ``label``).

    Raises CatalogError naming the first problem; nothing is half taken.
    """
    known = {f.field: f for f in PERSON_FIELDS}
    fields = dict(known)
    for name, rows in data.items():
        if name not in known:
            raise CatalogError(f"{source}: {name!r} is not one of the lists ({', '.join(known)}).")
        if not isinstance(rows, Sequence) or isinstance(rows, str) or not rows:
            raise CatalogError(f"{source}: {name} should be a non-empty list of options.")
        options: list[Option] = []
        for number, row in enumerate(rows, start=1):
            where = f"{source}: option {number} of {name}"
            if not isinstance(row, Mapping):
                raise CatalogError(f"{where} should be a table with a code and a label.")
            code, label = row.get("code"), row.get("label")
            report = row.get("report", label)
            if not isinstance(code, str) or not CODE.fullmatch(code):
                raise CatalogError(
                    f"{where}: the code should be lower-case letters, digits or _ "
                    '(up to 40), such as "trafficking_labor".'
                )
            if code in (NOT_REPORTED, DECLINED) or code in {o.code for o in options}:
                raise CatalogError(f"{where}: the code {code!r} is used twice or is reserved.")
            for what, text in (("label", label), ("report", report)):
                if not isinstance(text, str) or not text.strip() or len(text) > 200:
                    raise CatalogError(
                        f"{where}: the {what} should be text of 1 to 200 characters."
                    )
            options.append(Option(code, str(label).strip(), str(report).strip()))
        base = known[name]
        fields[name] = FieldList(
            base.field, base.heading, base.question, tuple(options), base.several
        )
    return Catalog(tuple(fields[f.field] for f in PERSON_FIELDS))
