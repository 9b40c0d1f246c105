"""Who may be offered which home, and in what order. Plain functions over model instances, no queries.

The shortlist rule (documented in docs/lettings.md): bidders who do not fit the property are left out, each
with the reason; the rest are ranked by band (highest first), then effective date (earliest first), then
application date (earliest first), then application reference number (lowest first) — a stable tie-break that
anyone can check by hand.
"""

from datetime import date

from h2h.area.config import Area, age_on
from h2h.lettings.models import Application, Property


def fit_problems(application: Application, home: Property, on: date) -> list[str]:
    """Why this application cannot be offered this property; an empty list means it fits."""
    problems = []
    if home.min_age is not None:
        age = age_on(application.date_of_birth, on)
        if age < home.min_age:
            problems.append(f"Age restriction {home.min_age}+: the applicant is {age}")
    if home.bedrooms < application.bedrooms_needed:
        problems.append(f"Too few bedrooms: needs {application.bedrooms_needed}, the home has {home.bedrooms}")
    elif home.bedrooms > application.bedrooms_needed + 1:
        # Allocation policies let at most one spare bedroom (under-occupation).
        problems.append(f"Too many bedrooms: needs {application.bedrooms_needed}, the home has {home.bedrooms}")
    if application.needs_wheelchair_standard and not home.wheelchair_standard:
        problems.append("Needs a wheelchair-standard home")
    if application.needs_step_free and not home.step_free:
        problems.append(f"Needs the ground floor or a lift: the home is on floor {home.floor} with no lift")
    if application.needs_level_access_shower and not home.level_access_shower:
        problems.append("Needs a level-access shower")
    missing = sorted(set(application.needs_features) - set(home.features))
    if missing:
        problems.append("Needs " + ", ".join(f.replace("_", " ") for f in missing))
    return problems


def rank_key(application: Application, area: Area) -> tuple:
    """Sort key for the shortlist: band, effective date, application date, then the id as a stable tie-break."""
    band = area.band(application.band)
    band_rank = band.rank if band is not None else len(area.bands)
    return (band_rank, application.effective_date, application.application_date, application.pk)
