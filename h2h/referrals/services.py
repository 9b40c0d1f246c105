"""Turning a submitted referral into a person, a referral and a case (or a link to the open case)."""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.area.config import age_on, get_area
from h2h.area.eligibility import Facts
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import HOUSED_STAGES, OPEN_STAGES, Stage
from h2h.referrals.models import Person, Referral

PERSON_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "nhs_number",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
)
CONTACT_FIELDS = ("address_line_1", "address_line_2", "town", "postcode", "phone", "email")


def service_organisation() -> Organisation:
    """The organisation whose HHCs run the service, named in the area file."""
    return Organisation.objects.get(code=get_area().service_organisation)


def person_find(*, nhs_number: str, first_name: str, last_name: str, date_of_birth) -> Person | None:
    """The same person referred before: by NHS number when known, else by exact name and date of birth
    (never matching two different NHS numbers)."""
    if nhs_number:
        # The number and the date of birth must agree: a mistyped number that passes the check digit must
        # not attach this referral to somebody else. A number on two people is left for review.
        known = Person.objects.filter(nhs_number=nhs_number, date_of_birth=date_of_birth).order_by("-id").first()
        if known is not None:
            return known
    by_name = Person.objects.filter(
        first_name__iexact=first_name, last_name__iexact=last_name, date_of_birth=date_of_birth
    )
    if nhs_number:
        # Someone first referred without a number is the same person once their number is known.
        by_name = by_name.filter(nhs_number="")
    return by_name.order_by("-id").first()


def least_loaded_hhc(service: Organisation) -> User | None:
    """The coordinator with the least active work: cases not yet housed. Housed cases waiting months for
    their follow-up visit would otherwise dominate the count."""
    active = OPEN_STAGES - HOUSED_STAGES
    open_cases = Count("caseload", filter=Q(caseload__stage__in=active))
    return (
        User.objects.filter(organisation=service, role=Role.HHC, is_active=True)
        .annotate(open_cases=open_cases)
        .order_by("open_cases", "id")
        .first()
    )


def referral_submit(
    *, answers: dict, by: User, referrer_organisation: Organisation, received_via: str,
    received_at: datetime | None = None, service: Organisation | None = None, auto_assign: bool = True,
) -> Referral:
    """Save a checked referral. A person with an open case gets the referral linked to it, flagged."""
    service = service or service_organisation()
    received_at = received_at or timezone.now()
    area = get_area()
    with transaction.atomic():
        person_data = {key: answers.get(key, "") for key in PERSON_FIELDS}
        person = person_find(
            nhs_number=person_data["nhs_number"],
            first_name=person_data["first_name"],
            last_name=person_data["last_name"],
            date_of_birth=person_data["date_of_birth"],
        )
        if person is None:
            person = Person.objects.create(**person_data)
        else:
            # The newest referral knows the current address and contact details; identity fields stay as
            # they are (a different spelling is for a person to correct, not a form to overwrite).
            for key in CONTACT_FIELDS:
                if person_data[key]:
                    setattr(person, key, person_data[key])
            if person_data["nhs_number"] and not person.nhs_number:
                person.nhs_number = person_data["nhs_number"]
            person.save()
        open_case = (
            Case.objects.select_for_update().filter(person=person).exclude(stage=Stage.CLOSED).first()
        )
        referral_fields = {
            key: answers[key]
            for key in (
                "setting", "hospital", "ward", "admission_date", "medically_ready_date", "reasons",
                "housing_details", "tenure", "household_size", "household_details", "has_carer",
                "carer_details", "mobility", "wheelchair_use", "benefits", "referrer_name", "referrer_role",
                "referrer_phone", "referrer_email", "consent", "consent_sharing", "consent_decision_maker",
                "consent_notes",
            )
            if key in answers
        }
        referral = Referral.objects.create(
            service=service,
            person=person,
            case=open_case,
            linked_to_open_case=open_case is not None,
            received_at=received_at,
            received_via=received_via,
            created_by=by,
            referrer_organisation=referrer_organisation,
            in_footprint=area.in_footprint(person.postcode),
            **referral_fields,
        )
        referred_on = timezone.localtime(received_at).date()
        if open_case is not None:
            CaseEvent.objects.create(
                case=open_case,
                kind=CaseEvent.Kind.REFERRAL_LINKED,
                on=referred_on,
                by=by,
                note=f"Another referral ({referral.reference}) was made while this case was open.",
                payload={"referral": referral.pk},
            )
            return referral
        case = Case.objects.create(
            service=service,
            person=person,
            referral=referral,
            stage=Stage.REFERRAL_RECEIVED,
            referred_on=referred_on,
            stage_changed_on=referred_on,
        )
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.STAGE, to_stage=Stage.REFERRAL_RECEIVED, on=referred_on, by=by
        )
        referral.case = case
        referral.save(update_fields=["case"])
        hhc = least_loaded_hhc(service) if auto_assign else None
        if hhc is not None:
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.ASSIGNED,
                on=referred_on,
                by=by,
                note="Allocated automatically to the coordinator with the fewest open cases.",
                payload={"to_user": hhc.pk, "automatic": True},
            )
            case.assigned_to = hhc
            case.save(update_fields=["assigned_to"])
    return referral


def referral_facts(referral: Referral, on=None):
    """The facts cohort rules are evaluated against, taken from the referral as submitted."""
    on = on or timezone.localtime(referral.received_at).date()
    return Facts(
        age=age_on(referral.person.date_of_birth, on),
        benefits=frozenset(referral.benefits),
        setting=referral.setting,
        wheelchair=referral.wheelchair_use,
        mobility=referral.mobility,
        household_size=referral.household_size,
        reasons=frozenset(referral.reasons),
        tenure=referral.tenure,
        medically_ready=referral.medically_ready_date is not None,
    )
