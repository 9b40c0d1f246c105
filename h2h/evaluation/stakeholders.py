"""Who bears each avoided cost, who pays for the service, and the cost book's codes.

The codes are what the evaluation engine multiplies counts by; the values behind them are data (the cost book,
loaded from h2h/evaluation/data/ or edited on the cost book page), never constants here. Each code says which
stakeholder bears the cost by default; the cost book row can name another (a step-down unit run by the council,
say), and the row wins.
"""

from dataclasses import dataclass

from django.db import models

from h2h.area.valuesets import Setting


class Stakeholder(models.TextChoices):
    """Who bears a cost the service avoids (reference-data.md 8.1: allocate each benefit to the party that
    would have paid)."""

    NHS_ACUTE = "nhs_acute", "NHS acute hospitals"
    NHS_COMMUNITY = "nhs_community", "NHS community health"
    NHS_MENTAL_HEALTH = "nhs_mental_health", "NHS mental health"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    LOCAL_AUTHORITY = "local_authority", "Other council services (adaptations, homelessness)"
    HOUSING_PROVIDER = "housing_provider", "Housing provider"


class Funder(models.TextChoices):
    """Who pays into the service. Each stakeholder's avoided costs are set against what its funder paid in."""

    NHS = "nhs", "NHS (commissioner)"
    COUNCIL = "council", "Council"
    HOUSING_PROVIDER = "housing_provider", "Housing provider"
    OTHER = "other", "Other funders (grants, charities)"


# The NHS bodies are paid for by the NHS commissioner, social care and other council services by the council.
FUNDER_OF: dict[str, str] = {
    Stakeholder.NHS_ACUTE: Funder.NHS,
    Stakeholder.NHS_COMMUNITY: Funder.NHS,
    Stakeholder.NHS_MENTAL_HEALTH: Funder.NHS,
    Stakeholder.ADULT_SOCIAL_CARE: Funder.COUNCIL,
    Stakeholder.LOCAL_AUTHORITY: Funder.COUNCIL,
    Stakeholder.HOUSING_PROVIDER: Funder.HOUSING_PROVIDER,
}


class FundingKind(models.TextChoices):
    STAFF = "staff", "Staff (coordinators, management, admin)"
    HARDSHIP_FUND = "hardship_fund", "Hardship fund"
    OTHER = "other", "Other costs"


@dataclass(frozen=True)
class CostCode:
    code: str
    label: str
    unit: str
    stakeholder: str
    used_for: str


def _bed_day(setting: Setting, stakeholder: Stakeholder) -> CostCode:
    return CostCode(f"bed_day_{setting.value}", f"Bed day: {setting.label.lower()}", "per bed day", stakeholder,
                    f"Bed days avoided by faster rehousing, for people referred from: {setting.label.lower()}")


COST_CODES: tuple[CostCode, ...] = (
    _bed_day(Setting.ACUTE_HOSPITAL, Stakeholder.NHS_ACUTE),
    _bed_day(Setting.COMMUNITY_HOSPITAL, Stakeholder.NHS_COMMUNITY),
    _bed_day(Setting.MENTAL_HEALTH_WARD, Stakeholder.NHS_MENTAL_HEALTH),
    _bed_day(Setting.STEP_DOWN_UNIT, Stakeholder.NHS_COMMUNITY),
    _bed_day(Setting.CARE_HOME, Stakeholder.ADULT_SOCIAL_CARE),
    CostCode("admission_emergency_long_stay", "Emergency admission, stay of 2 days or more", "per spell",
             Stakeholder.NHS_ACUTE, "Fewer emergency admissions after the move"),
    CostCode("admission_emergency_short_stay", "Emergency admission, stay of 0 or 1 day", "per spell",
             Stakeholder.NHS_ACUTE, "Fewer emergency admissions after the move"),
    CostCode("excess_bed_day", "Excess bed day", "per excess bed day", Stakeholder.NHS_ACUTE,
             "Fewer excess bed days after the move"),
    CostCode("ae_attendance", "A&E attendance", "per attendance", Stakeholder.NHS_ACUTE,
             "Fewer A&E attendances after the move"),
    CostCode("adaptation", "Major adaptation to a home (DFG-type)", "per adaptation", Stakeholder.LOCAL_AUTHORITY,
             "Adaptations avoided by moving to a suitable home"),
    CostCode("homelessness_case", "Homelessness prevented", "per household", Stakeholder.LOCAL_AUTHORITY,
             "People at risk of homelessness rehoused"),
    CostCode("home_care_hour", "Home care", "per hour", Stakeholder.ADULT_SOCIAL_CARE,
             "Social care packages avoided or reduced"),
    CostCode("long_term_void", "Long-term void let", "per void", Stakeholder.HOUSING_PROVIDER,
             "Void costs avoided when a long-term empty home is let"),
    CostCode("rent_weeks_gained", "Weeks of rent gained per long-term void let", "weeks (an assumption, not £)",
             Stakeholder.HOUSING_PROVIDER, "Rent gained: the home's weekly rent × these weeks"),
)
COST_CODES_BY_CODE: dict[str, CostCode] = {c.code: c for c in COST_CODES}
# Costs in pounds; rent_weeks_gained is a number of weeks (the rent itself comes from each property's record).
NOT_MONEY = frozenset({"rent_weeks_gained"})


def bed_day_code(setting: str) -> str:
    return f"bed_day_{setting}"


@dataclass(frozen=True)
class WellbeingOutcome:
    code: str
    label: str
    definition: str


# Outcomes the service can value by wellbeing valuation, each counted from its own records (docs/evaluation.md).
# The values themselves are the service's to load (docs/formats/wellbeing-values-csv.md); none are shipped.
WELLBEING_OUTCOMES: tuple[WellbeingOutcome, ...] = (
    WellbeingOutcome("secure_tenancy_from_homelessness", "From homelessness to a secure tenancy",
                     "Rehoused in the period; homeless or of no fixed address when referred"),
    WellbeingOutcome("relief_from_anxiety_depression", "Relief from anxiety or depression",
                     "EQ-5D anxiety or depression at level 3 or worse at baseline, level 1 at follow-up"),
    WellbeingOutcome("feeling_safe", "Feeling safe at home",
                     "Not feeling safe at baseline (a bit or very unsafe), feeling safe at follow-up"),
    WellbeingOutcome("adequate_social_contact", "Enough social contact",
                     "Less social contact than wanted at baseline, as much as wanted at follow-up"),
    WellbeingOutcome("financial_comfort", "Financial comfort",
                     "Just getting by or finding it difficult at baseline, doing all right or better at follow-up"),
    WellbeingOutcome("managing_own_health", "Able to manage own health",
                     "A little or not at all at baseline, mostly or fully at follow-up"),
    WellbeingOutcome("improved_mental_wellbeing", "Improved mental wellbeing",
                     "SWEMWBS metric score higher at follow-up than at baseline"),
    WellbeingOutcome("carer_life_satisfaction", "Carer's life satisfaction improved",
                     "The carer's life satisfaction (0–10) higher at follow-up than at baseline"),
)
WELLBEING_BY_CODE: dict[str, WellbeingOutcome] = {w.code: w for w in WELLBEING_OUTCOMES}
