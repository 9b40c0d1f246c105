"""Plain helper functions that build test data with the ORM (no factory_boy).

Everything here writes rows directly, bypassing the services, so a test can put a case at any stage without
walking it there. Only fixture NHS numbers from the 999 test range are used (reference-data.md 4.1).
"""

import itertools
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.cases.models import Case
from h2h.cases.stages import Stage
from h2h.referrals.models import Person, Referral

NOTTINGHAM_TOML = Path(__file__).resolve().parent.parent / "h2h" / "area" / "nottingham.toml"

# Valid NHS numbers in the test range (999 000 0000 – 999 999 9999), checked by test_identifiers.py.
TEST_NHS_NUMBERS = ("9990000018", "9990000026", "9990000034")

_serial = itertools.count(1)


def _next() -> int:
    return next(_serial)


def make_org(code: str = "NCH", *, name: str | None = None, kind: str | None = None) -> Organisation:
    """The organisation with this code, created if missing (NCH runs the service in nottingham.toml)."""
    org, _ = Organisation.objects.get_or_create(
        code=code,
        defaults={
            "name": name or ("Nottingham City Homes" if code == "NCH" else f"Organisation {code}"),
            "kind": kind
            or (Organisation.Kind.HOUSING_PROVIDER if code == "NCH" else Organisation.Kind.ACUTE_TRUST),
        },
    )
    return org


def service_org() -> Organisation:
    return make_org("NCH")


def referrer_org() -> Organisation:
    return make_org("NUH", name="Nottingham University Hospitals", kind=Organisation.Kind.ACUTE_TRUST)


def make_user(
    role: str = Role.HHC,
    *,
    organisation: Organisation | None = None,
    is_active: bool = True,
    username: str | None = None,
    **extra,
) -> User:
    """A user holding one role; service roles default to the service organisation, referrers to NUH."""
    if organisation is None:
        organisation = referrer_org() if role == Role.REFERRER else service_org()
    n = _next()
    return User.objects.create(
        username=username or f"{role or 'norole'}{n}",
        first_name=extra.pop("first_name", role.replace("_", " ").title() if role else "User"),
        last_name=extra.pop("last_name", str(n)),
        role=role,
        organisation=organisation,
        is_active=is_active,
        **extra,
    )


def person_answers(**overrides) -> dict:
    """The 'about the person' answers, as the referral form cleans them."""
    data = {
        "first_name": "Ada",
        "last_name": "Testperson",
        "date_of_birth": date(1950, 3, 27),
        "nhs_number": TEST_NHS_NUMBERS[0],
        "address_line_1": "1 Test Street",
        "address_line_2": "",
        "town": "Nottingham",
        "postcode": "NG7 2UH",
        "phone": "",
        "email": "",
    }
    data.update(overrides)
    return data


def referral_answers(**overrides) -> dict:
    """Cleaned answers for referral_submit: a 75-year-old in an acute bed, medically ready."""
    today = timezone.localdate()
    data = {
        **person_answers(),
        "setting": "acute_hospital",
        "hospital": "Queen's Medical Centre",
        "ward": "C52",
        "admission_date": today - timedelta(days=20),
        "medically_ready_date": today - timedelta(days=5),
        "reasons": ["accessibility", "delayed_discharge"],
        "housing_details": "Stairs to the front door; bathroom upstairs.",
        "tenure": "council_tenant",
        "household_size": 1,
        "household_details": "",
        "has_carer": False,
        "carer_details": "",
        "mobility": "walking_aid",
        "wheelchair_use": "occasional",
        "benefits": ["attendance_allowance"],
        "referrer_name": "Rita Referrer",
        "referrer_role": "Discharge coordinator",
        "referrer_phone": "0115 000 0000",
        "referrer_email": "",
        "consent": "given",
        "consent_sharing": ["housing", "health"],
        "consent_decision_maker": "",
        "consent_notes": "",
    }
    data.update(overrides)
    return data


def make_person(**overrides) -> Person:
    return Person.objects.create(**person_answers(**overrides))


def make_referral(
    *,
    person: Person | None = None,
    service: Organisation | None = None,
    created_by: User | None = None,
    case: Case | None = None,
    **overrides,
) -> Referral:
    """A referral row written directly (no case unless given)."""
    service = service or service_org()
    referrer = referrer_org()
    created_by = created_by or make_user(Role.REFERRER, organisation=referrer)
    person = person or make_person(nhs_number="", last_name=f"Referred{_next()}")
    answers = referral_answers()
    fields = {
        key: answers[key]
        for key in (
            "setting",
            "hospital",
            "ward",
            "admission_date",
            "medically_ready_date",
            "reasons",
            "housing_details",
            "tenure",
            "household_size",
            "mobility",
            "wheelchair_use",
            "benefits",
            "referrer_name",
            "referrer_role",
            "consent",
            "consent_sharing",
        )
    }
    received_at = overrides.pop("received_at", timezone.now() - timedelta(days=40))
    fields.update(overrides)
    return Referral.objects.create(
        service=service,
        person=person,
        case=case,
        received_at=received_at,
        received_via=Referral.ReceivedVia.ONLINE,
        created_by=created_by,
        referrer_organisation=referrer,
        **fields,
    )


def make_case(
    stage: str = Stage.REFERRAL_RECEIVED,
    *,
    service: Organisation | None = None,
    person: Person | None = None,
    assigned_to: User | None = None,
    days_ago: int = 10,
    stage_changed_on: date | None = None,
    closing_reason: str | None = None,
    cohort: str = "",
    created_by: User | None = None,
) -> Case:
    """A case put straight at `stage` with the ORM, its stage changed `days_ago` days ago.

    A closed case gets the closing reason 'withdrawn' unless another is given.
    """
    service = service or service_org()
    # A name of its own, so that matching by name and date of birth never finds it by accident.
    person = person or make_person(nhs_number="", last_name=f"Existing{_next()}")
    referral = make_referral(person=person, service=service, created_by=created_by)
    changed = stage_changed_on or (timezone.localdate() - timedelta(days=days_ago))
    if closing_reason is None:
        closing_reason = "withdrawn" if stage == Stage.CLOSED else ""
    case = Case.objects.create(
        service=service,
        person=person,
        referral=referral,
        stage=stage,
        referred_on=changed - timedelta(days=30),
        stage_changed_on=changed,
        assigned_to=assigned_to,
        closing_reason=closing_reason,
        cohort=cohort,
    )
    referral.case = case
    referral.save(update_fields=["case"])
    return case
