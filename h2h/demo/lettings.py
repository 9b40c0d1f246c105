"""Demo stock, voids and the housing register, consistent with the demo cases' histories.

Runs after the cases exist (h2h/demo/generate.py): each case that reached "application live" gets its
fast-track application, each one housed gets the home it moved into (a void let on its tenancy start date),
and a general-needs register competes with them on the voids advertised now. Deterministic for a seed.
Rows are written with the ORM, not the lettings services, because the services stamp "now" while this
replays months of history; the case histories themselves were written by the case services.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.area.config import Area, age_on
from h2h.area.valuesets import PropertyType
from h2h.cases.models import Case, CaseEvent
from h2h.cases.selectors import add_months
from h2h.cases.stages import Stage
from h2h.lettings.applications import band_for_case
from h2h.lettings.models import Application, Bid, Hold, Offer, Property, Void
from h2h.lettings.rules import fit_problems

LETTINGS_AREAS = ("Aspley", "Bestwood", "Bulwell", "Clifton", "Meadows", "Radford", "Sneinton", "St Ann's",
                  "Wollaton", "Basford", "Lenton", "Hyson Green")
STREETS = ("Beech Avenue", "Ash Grove", "Willow Court", "Elm Bank", "Cedar Road", "Rowan Close", "Holly Way",
           "Linden Street", "Maple Drive", "Oak Tree Close", "Hawthorn Walk", "Poplar Place")
SCHEMES = ("Ash Court", "Brook House", "Maple Lodge", "Rosewood Court", "Sycamore House")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
FIRST = ("Aaron", "Beth", "Callum", "Dawn", "Ellie", "Faisal", "Gemma", "Hassan", "Imogen", "Jade", "Kyle", "Lucy",
         "Mohammed", "Nina", "Owen", "Paula", "Rhys", "Sadia", "Toby", "Una", "Wes", "Yasmin", "Zoe", "Liam")
LAST = ("Allen", "Baker", "Clarke", "Davies", "Evans", "Fox", "Green", "Hall", "Iqbal", "Jones", "Khan", "Lewis",
        "Morris", "Nash", "Owen", "Patel", "Reid", "Smith", "Turner", "Walker", "Young", "Ali", "Brown", "Cox")

# The kind of home each cohort moves into, and what such homes look like.
HOME_FOR_TYPE = {
    PropertyType.INDEPENDENT_LIVING_FLAT: dict(bedrooms=(1, 1), floor=(0, 3), lift=True, min_age=60),
    PropertyType.BUNGALOW: dict(bedrooms=(1, 2), floor=(0, 0), lift=False, min_age=None),
    PropertyType.FLAT: dict(bedrooms=(1, 2), floor=(0, 8), lift=None, min_age=None),
    PropertyType.HOUSE: dict(bedrooms=(2, 4), floor=(0, 0), lift=False, min_age=None),
    PropertyType.MAISONETTE: dict(bedrooms=(2, 3), floor=(1, 3), lift=False, min_age=None),
}


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class _Stock:
    def __init__(self, rng: random.Random, area: Area, landlords: list[Organisation]):
        self.rng, self.area, self.landlords = rng, area, landlords
        self.count = 0
        self.districts = [entry for entry in area.footprint]

    def postcode(self) -> str:
        entry = self.rng.choice(self.districts)
        inward_digit = entry.split(" ")[1] if " " in entry else str(self.rng.randint(1, 9))
        district = entry.split(" ")[0]
        letters = "".join(self.rng.choice(INWARD_LETTERS) for _ in range(2))
        return f"{district} {inward_digit}{letters}"

    def build(self, property_type: str, *, wheelchair=False, step_free=False) -> Property:
        rng = self.rng
        shape = HOME_FOR_TYPE[PropertyType(property_type)]
        self.count += 1
        floor = rng.randint(*shape["floor"])
        lift = shape["lift"] if shape["lift"] is not None else floor >= 3
        if step_free and floor and not lift:
            floor = 0
        landlord = self.landlords[0] if rng.random() < 0.7 else rng.choice(self.landlords)
        is_il = property_type == PropertyType.INDEPENDENT_LIVING_FLAT
        return Property(
            ref=f"{landlord.code}-{10000 + self.count}",
            landlord=landlord,
            scheme=rng.choice(SCHEMES) if is_il else "",
            address_line_1=f"{rng.randint(1, 140)} {rng.choice(STREETS)}",
            town="Nottingham",
            postcode=self.postcode(),
            lettings_area=rng.choice(LETTINGS_AREAS),
            property_type=property_type,
            bedrooms=rng.randint(*shape["bedrooms"]),
            floor=floor,
            has_lift=lift,
            wheelchair_standard=wheelchair or (property_type == PropertyType.BUNGALOW and rng.random() < 0.4),
            level_access_shower=wheelchair or is_il or rng.random() < 0.2,
            ramp=wheelchair or rng.random() < 0.1,
            adapted=wheelchair,
            features=["concrete_floor"] if wheelchair and rng.random() < 0.2 else [],
            min_age=(rng.choice((55, 60)) if is_il else None),
            weekly_rent=Decimal(rng.randint(8500, 14500)) / 100,
            demand=rng.choice(list(Property.Demand.values)),
        )


def _first_event(case: Case, stage: str) -> CaseEvent | None:
    return next((e for e in case.events.all() if e.kind == CaseEvent.Kind.STAGE and e.to_stage == stage), None)


def seed_lettings(*, seed: int, today: date, area: Area, orgs: dict[str, Organisation], users: dict[str, User]):
    rng = random.Random(seed * 7919 + 11)
    service = orgs[area.service_organisation] if area.service_organisation in orgs else Organisation.objects.get(
        code=area.service_organisation)
    landlords = [service] + list(Organisation.objects.filter(kind=Organisation.Kind.PARTNER_LANDLORD))
    stock = _Stock(rng, area, landlords)
    manager = User.objects.filter(role=Role.HOUSING_MANAGER, organisation=service).first()
    lettings = User.objects.filter(role=Role.LETTINGS_OFFICER, organisation=service).first() or manager
    accelerator = area.lettings.accelerator_months

    properties: list[Property] = []
    voids: list[tuple[Property, dict]] = []
    applications: list[Application] = []
    offers: list[tuple[int, int, dict]] = []  # (property index, application index, fields)

    cases = (Case.objects.filter(service=service).select_related("person", "referral", "referral__person")
             .prefetch_related("events").order_by("id"))
    for case in cases:
        live = _first_event(case, Stage.APPLICATION_LIVE)
        visit = _first_event(case, Stage.FIRST_VISIT)
        submitted_waiting = case.stage == Stage.FIRST_VISIT and visit and (today - visit.on).days <= 10
        if live is None and not submitted_waiting:
            continue
        cohort = area.cohort(case.cohort)
        types = list(cohort.property_types) if cohort else [PropertyType.FLAT]
        referral = case.referral
        wheelchair = referral.wheelchair_use == "essential"
        step_free = wheelchair or referral.mobility in ("limited", "bed_bound")
        applied_on = visit.on if visit else live.on
        if case.stage == Stage.CLOSED and case.closing_reason != "rehoused":
            status = Application.Status.CANCELLED
        elif live is None:
            status = Application.Status.SUBMITTED
        elif _first_event(case, Stage.TENANCY_START):
            status = Application.Status.HOUSED
        else:
            status = Application.Status.LIVE
        decided = live.at if live else None
        application = Application(
            case=case,
            reference=f"H2H-APP-{case.pk}",
            applicant_name=case.person.full_name,
            date_of_birth=case.person.date_of_birth,
            household_size=referral.household_size,
            bedrooms_needed=1 if referral.household_size <= 2 else 2,
            needs_step_free=step_free,
            needs_wheelchair_standard=wheelchair,
            needs_level_access_shower=wheelchair or referral.mobility != "independent",
            preferred_areas=rng.sample(LETTINGS_AREAS, 2),
            preferred_types=types,
            medical_evidence="Letter from the ward consultant and the OT's home assessment.",
            band=band_for_case(case).band.code,
            application_date=applied_on,
            effective_date=add_months(applied_on, -accelerator),
            status=status,
            submitted_at=_aware(applied_on, 11),
            submitted_by=case.assigned_to,
            decided_at=decided,
            decided_by=manager if decided else None,
            panel_reviewed_on=(live.on + timedelta(days=rng.randint(3, 14))
                               if live and (today - live.on).days > 21 else None),
            panel_reviewed_by=manager if live and (today - live.on).days > 21 else None,
            panel_note="Reviewed at panel: agreed." if live and (today - live.on).days > 21 else "",
        )
        applications.append(application)
        tenancy = _first_event(case, Stage.TENANCY_START)
        offered = case.stage == Stage.OFFER
        if tenancy or offered:
            home = stock.build(rng.choice(types), wheelchair=wheelchair, step_free=step_free)
            home.bedrooms = application.bedrooms_needed
            if home.min_age and age_on(application.date_of_birth, today) < home.min_age:
                home.min_age = None
            properties.append(home)
            offer_event = _first_event(case, Stage.OFFER)
            offered_on = offer_event.on if offer_event else (tenancy.on - timedelta(days=7))
            let_on = tenancy.on if tenancy else None
            empty_on = offered_on - timedelta(days=rng.randint(10, 45))
            voids.append((home, dict(empty_on=empty_on, ready_on=offered_on - timedelta(days=rng.randint(1, 7)),
                                     let_on=let_on, status=Void.Status.LET if let_on else Void.Status.OFFERED)))
            offers.append((len(properties) - 1, len(applications) - 1, dict(
                kind=Offer.Kind.DIRECT if rng.random() < 0.25 else Offer.Kind.SHORTLIST,
                status=Offer.Status.SIGNED_UP if tenancy else Offer.Status.OFFERED,
                viewing_on=offered_on + timedelta(days=2),
                tenancy_start=let_on, made_at=_aware(offered_on, 14),
                decided_at=_aware(let_on, 9) if let_on else None,
                made_by=case.assigned_to or lettings)))

    # The general-needs register: the people H2H applicants compete with.
    register = []
    for n in range(1, 451):
        applied = today - timedelta(days=rng.randint(20, 1400))
        band = rng.choices([b.code for b in area.bands], weights=[1, 3, 4, 8][: len(area.bands)])[0]
        size = rng.choice((1, 1, 1, 2, 2, 3, 4))
        register.append(Application(
            reference=f"GN-{40000 + n}",
            applicant_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            date_of_birth=date(today.year - rng.randint(19, 88), rng.randint(1, 12), rng.randint(1, 28)),
            household_size=size,
            bedrooms_needed=max(1, size - 1),
            needs_step_free=rng.random() < 0.15,
            preferred_areas=rng.sample(LETTINGS_AREAS, 3),
            band=band,
            application_date=applied,
            effective_date=applied + timedelta(days=rng.randint(0, 60)),
            status=Application.Status.LIVE,
        ))

    # Voids open now: some being repaired, some ready, some advertised in this week's cycle, a few long-term.
    open_voids = []
    for n in range(70):
        property_type = rng.choice(list(PropertyType.values) + [PropertyType.INDEPENDENT_LIVING_FLAT] * 2)
        home = stock.build(property_type, wheelchair=rng.random() < 0.1)
        properties.append(home)
        long_term = n % 12 == 0
        empty_on = today - timedelta(days=rng.randint(area.lettings.long_term_void_days + 5, 200) if long_term
                                     else rng.randint(3, 50))
        roll = rng.random()
        if roll < 0.25:
            fields = dict(empty_on=empty_on, status=Void.Status.NOT_READY)
        elif roll < 0.45:
            fields = dict(empty_on=empty_on, ready_on=min(today, empty_on + timedelta(days=14)),
                          status=Void.Status.READY)
        else:
            opens = today - timedelta(days=rng.randint(0, area.lettings.cycle_days - 1))
            fields = dict(empty_on=empty_on, ready_on=min(opens, empty_on + timedelta(days=10)),
                          status=Void.Status.ADVERTISED, advert_opens_on=opens,
                          advert_closes_on=opens + timedelta(days=area.lettings.cycle_days))
        open_voids.append((home, fields))

    Property.objects.bulk_create(properties)
    Application.objects.bulk_create(applications + register)
    void_rows = [Void(property=home, **fields) for home, fields in voids + open_voids]
    Void.objects.bulk_create(void_rows)
    made = []
    for property_index, application_index, fields in offers:
        made.append(Offer(void=void_rows[property_index], application=applications[application_index], **fields))
    Offer.objects.bulk_create(made)

    # Bids on this week's adverts: the register, plus live H2H applications that fit.
    live_h2h = [a for a in applications if a.status == Application.Status.LIVE]
    bids = []
    for void in void_rows[len(voids):]:
        if void.status != Void.Status.ADVERTISED:
            continue
        bidders = rng.sample(register, rng.randint(8, 30))
        bidders += [a for a in live_h2h if not fit_problems(a, void.property, today) and rng.random() < 0.5]
        for application in bidders:
            bids.append(Bid(void=void, application=application, placed_by=lettings if application.case_id is None
                            else (application.case.assigned_to or lettings)))
    Bid.objects.bulk_create(bids)

    # One hold waiting for the housing manager: a ready void kept back for a live H2H case that fits it.
    for void in void_rows[len(voids):]:
        if void.status != Void.Status.READY:
            continue
        fitting = [a for a in live_h2h if not fit_problems(a, void.property, today)]
        if fitting:
            application = fitting[0]
            Hold.objects.create(void=void, application=application, requested_by=application.case.assigned_to
                                or lettings, reason="Ground-floor flat near her daughter; discharge waiting on it.")
            break
    return {"properties": len(properties), "voids": len(void_rows), "applications": len(applications),
            "register": len(register), "bids": len(bids), "offers": len(made)}
