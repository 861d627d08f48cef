"""The built-in needs catalog.

Needs are grouped by horizon, as the standard describes recovery: short-term
(safety and survival), intermediate (health, housing and skills), and long-term
(stability and independence). Every need the standard names is here, worded as
it words them; a few that agencies commonly add follow. Agencies can add custom
needs per client.
"""

from __future__ import annotations

from dataclasses import dataclass

from casetui.core.choices import Domain, Horizon


@dataclass(frozen=True, slots=True)
class CatalogNeed:
    key: str
    label: str
    horizon: Horizon
    domain: Domain
    standard: bool = True  # named in the standard, not an agency addition


_S, _I, _L = Horizon.SHORT_TERM, Horizon.INTERMEDIATE, Horizon.LONG_TERM
D = Domain

CATALOG: tuple[CatalogNeed, ...] = (
    # Short-term
    CatalogNeed("safety_plan", "Safety plan", _S, D.SAFETY),
    CatalogNeed("secure_shelter", "Secure shelter", _S, D.HOUSING),
    CatalogNeed("food", "Food", _S, D.PHYSICAL),
    CatalogNeed("clothing", "Clothing", _S, D.PHYSICAL),
    CatalogNeed("personal_necessities", "Personal necessities", _S, D.PHYSICAL),
    CatalogNeed("acute_medical_dental", "Acute medical and dental care", _S, D.PHYSICAL),
    CatalogNeed("information", "Information", _S, D.SOCIAL),
    CatalogNeed("advocacy", "Advocacy", _S, D.LEGAL),
    CatalogNeed("crisis_counselling", "Crisis counselling", _S, D.EMOTIONAL, standard=False),
    CatalogNeed("safe_phone", "Safe phone or way to keep in touch", _S, D.SAFETY, standard=False),
    CatalogNeed("transport", "Transport", _S, D.ECONOMIC, standard=False),
    CatalogNeed("interpretation", "Interpretation", _S, D.SOCIAL, standard=False),
    # Intermediate
    CatalogNeed("ongoing_medical_dental", "Ongoing medical and dental care", _I, D.PHYSICAL),
    CatalogNeed("mental_health", "Mental health services", _I, D.EMOTIONAL),
    CatalogNeed("transitional_housing", "Transitional housing", _I, D.HOUSING),
    CatalogNeed("education", "Education", _I, D.EDUCATION),
    CatalogNeed("job_training", "Job training", _I, D.ECONOMIC),
    CatalogNeed("work_permit", "Work permit", _I, D.LEGAL),
    CatalogNeed("legal_assistance", "Legal assistance", _I, D.LEGAL, standard=False),
    CatalogNeed("childcare", "Childcare", _I, D.SOCIAL, standard=False),
    CatalogNeed("public_benefits", "Public benefits", _I, D.ECONOMIC, standard=False),
    CatalogNeed("language_classes", "Language classes", _I, D.EDUCATION, standard=False),
    # Long-term
    CatalogNeed("life_social_skills", "Life and social skills", _L, D.SOCIAL),
    CatalogNeed("life_stabilisation", "Life stabilisation", _L, D.EMOTIONAL),
    CatalogNeed("employment_assistance", "Employment assistance", _L, D.ECONOMIC),
    CatalogNeed("immigration_status", "Resolution of immigration status", _L, D.LEGAL),
    CatalogNeed("permanent_housing", "Independent permanent housing", _L, D.HOUSING),
    CatalogNeed("advanced_education", "Advanced education", _L, D.EDUCATION),
    CatalogNeed("continued_safety_planning", "Continued safety planning", _L, D.SAFETY),
    CatalogNeed("financial_stability", "Financial stability", _L, D.ECONOMIC, standard=False),
)

CATALOG_BY_KEY: dict[str, CatalogNeed] = {need.key: need for need in CATALOG}


def catalog_for(horizon: Horizon) -> tuple[CatalogNeed, ...]:
    return tuple(need for need in CATALOG if need.horizon is horizon)
