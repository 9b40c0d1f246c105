"""Demo data: partner organisations, one sign-in per role, a directory, and about a year of referrals.

Two halves:

* ``build_plan(seed, referrals, today)`` is pure: it decides, with one ``random.Random(seed)``, who is
  referred, by whom, what the screening will decide and when each case moves on. Dates are offsets from
  ``today`` (so the demo always looks live) but everything else — names, NHS numbers, choices, offsets, the
  stage each case ends at — depends only on the seed and the count.
* ``generate(seed, referrals)`` writes the plan through the application's own services
  (``referral_submit``, ``case_screen_accept``/``decline``, ``case_move``, ``case_assign``,
  ``case_note_add``), in date order across all cases, by the role the transition table expects, so the
  history (CaseEvent) is what the application would have recorded. Each step runs with the clock set to the
  moment it was planned for (``_clock``), so "recorded at" reads as if it had been entered on the day; nothing
  is rewritten afterwards (case events and notes are append-only).

Every identifier is fake: NHS numbers from the reserved test range 999 000 0000–999 999 9999, phone numbers
from Ofcom's drama ranges (0115 496 0xxx, 07700 900xxx), e-mail addresses at example.org, made-up streets.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from h2h.accounts.models import Organisation, Team, User
from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.demo.api import seed_api_clients
from h2h.demo.lettings import seed_lettings
from h2h.demo.support import seed_support
from h2h.demo.hospital import seed_hospital_activity
from h2h.demo.surveys import seed_surveys
from h2h.evaluation.demo import seed_evaluation
from h2h.area.config import Area, age_on, get_area
from h2h.area.eligibility import Facts, evaluate_all
from h2h.cases.models import Case, CaseEvent
from h2h.cases.selectors import NEXT_ACTION_TEXT
from h2h.cases.services import case_assign, case_move, case_note_add, case_screen_accept, case_screen_decline
from h2h.cases.stages import ClosingReason, Stage
from h2h.directory.models import Contact
from h2h.lib.identifiers import nhs_number_check_digit, postcode_is_valid
from h2h.notifications.services import notifications_suppressed
from h2h.referrals.models import Person, Referral
from h2h.referrals.services import PERSON_FIELDS, referral_facts, referral_submit

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published on purpose: it signs in to fake data only
DEFAULT_SEED = 2026
DEFAULT_REFERRALS = 400
HISTORY_DAYS = 425  # about 14 months of referrals

OLDER, WHEELCHAIR, MENTAL_HEALTH = "older_people", "wheelchair_users", "mental_health"
NOT_FIT = "not_fit"
COHORTS = (OLDER, WHEELCHAIR, MENTAL_HEALTH)
ASSIGNED = "@assigned"  # the coordinator the case is assigned to when the step runs

S = Stage
Kind = Organisation.Kind
Setting, Tenure, Mob, Wc, Ben = (
    valuesets.Setting,
    valuesets.Tenure,
    valuesets.Mobility,
    valuesets.WheelchairUse,
    valuesets.Benefit,
)


class DemoDataError(RuntimeError):
    pass


# fmt: off
# ------------------------------------------------------------------------------------------------------------
# Organisations, people who sign in, and the directory (tables kept one row a line: `fmt: off`)
# ------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    teams: tuple[str, ...]


SERVICE = "@service"  # replaced by the area's service_organisation code

ORGANISATIONS = (
    OrgSpec(SERVICE, "Nottingham City Homes", Kind.HOUSING_PROVIDER,
            ("Housing to Health team", "Lettings", "Independent Living", "Aids and Adaptations",
             "Digital Services")),
    OrgSpec("NUH", "Nottingham University Hospitals NHS Trust", Kind.ACUTE_TRUST,
            ("Discharge Team", "Occupational Therapy")),
    OrgSpec("CITYCARE", "Nottingham CityCare Partnership", Kind.COMMUNITY_PROVIDER,
            ("Community Occupational Therapy", "Intermediate Care", "District Nursing")),
    OrgSpec("NOTTSHC", "Nottinghamshire Healthcare NHS Foundation Trust", Kind.MENTAL_HEALTH_TRUST,
            ("Inpatient Discharge Team", "Community Mental Health Team")),
    OrgSpec("NCC", "Nottingham City Council", Kind.COUNCIL,
            ("Adult Social Care", "Environmental Health", "Housing Aid", "Welfare Rights")),
    OrgSpec("SVH", "Sherwood Vale Homes", Kind.PARTNER_LANDLORD, ("Lettings", "Tenancy Sustainment")),
    OrgSpec("CMHA", "Castle Meadow Housing Association", Kind.PARTNER_LANDLORD,
            ("Lettings", "Tenancy Sustainment")),
    OrgSpec("ICB", "NHS Nottingham and Nottinghamshire Integrated Care Board", Kind.COMMISSIONER,
            ("Commissioning", "Information and Analytics")),
    OrgSpec("FURNITURE", "Second Home Furniture Project", Kind.OTHER, ("Referrals",)),
    OrgSpec("REMOVALS", "Trentside Removals", Kind.OTHER, ("Bookings",)),
)


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    org: str
    team: str
    job_title: str
    phone: str

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@example.org".lower()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


USERS = (
    UserSpec("hhc", "Amy", "Thornton", Role.HHC, SERVICE, "Housing to Health team",
             "Housing and Health Coordinator", "0115 496 0101"),
    UserSpec("hhc2", "Daniel", "Okoro", Role.HHC, SERVICE, "Housing to Health team",
             "Housing and Health Coordinator", "0115 496 0102"),
    UserSpec("hhc3", "Priya", "Sharma", Role.HHC, SERVICE, "Housing to Health team",
             "Housing and Health Coordinator", "0115 496 0103"),
    UserSpec("admin-officer", "Karen", "Mills", Role.ADMIN_OFFICER, SERVICE, "Housing to Health team",
             "Admin Support Officer", "0115 496 0104"),
    UserSpec("housing-manager", "Stephen", "Holt", Role.HOUSING_MANAGER, SERVICE, "Lettings",
             "Housing Manager (Allocations)", "0115 496 0105"),
    UserSpec("project-manager", "Rachel", "Ingram", Role.PROJECT_MANAGER, SERVICE, "Housing to Health team",
             "Housing to Health Project Manager", "0115 496 0106"),
    UserSpec("lettings", "Gary", "Whitfield", Role.LETTINGS_OFFICER, SERVICE, "Lettings",
             "Lettings Officer", "0115 496 0107"),
    UserSpec("referrer", "Helen", "Marsh", Role.REFERRER, "NUH", "Discharge Team",
             "Discharge Coordinator", "0115 496 0201"),
    UserSpec("referrer-ot", "James", "Porter", Role.REFERRER, "NUH", "Occupational Therapy",
             "Occupational Therapist", "0115 496 0202"),
    UserSpec("referrer-community", "Leanne", "Hodgson", Role.REFERRER, "CITYCARE",
             "Community Occupational Therapy", "Community Occupational Therapist", "0115 496 0203"),
    UserSpec("referrer-mh", "Tom", "Adeyemi", Role.REFERRER, "NOTTSHC", "Inpatient Discharge Team",
             "Mental Health Discharge Coordinator", "0115 496 0204"),
    UserSpec("referrer-council", "Joanne", "Price", Role.REFERRER, "NCC", "Adult Social Care",
             "Social Worker", "0115 496 0205"),
    UserSpec("commissioner", "Mark", "Ellison", Role.COMMISSIONER, "ICB", "Commissioning",
             "Commissioning Manager, Ageing Well", "0115 496 0301"),
    UserSpec("evaluator", "Nadia", "Hussain", Role.EVALUATOR, "ICB", "Information and Analytics",
             "Senior Information Analyst", "0115 496 0302"),
    UserSpec("administrator", "Chris", "Bell", Role.ADMINISTRATOR, SERVICE, "Digital Services",
             "System Administrator", "0115 496 0303"),
)
USERS_BY_NAME = {u.username: u for u in USERS}
HHCS = tuple(u.username for u in USERS if u.role == Role.HHC)

# (organisation, team or service, contact, what they help with, phone, e-mail local part, notes)
CONTACTS = (
    ("NUH", "Integrated Discharge Team, Queen's Medical Centre", "Sam Whitaker",
     "Discharge planning for patients at QMC", "0115 496 0410", "qmc.discharge", "Weekdays 8am to 6pm"),
    ("NUH", "Integrated Discharge Team, Nottingham City Hospital", "Gemma Lowe",
     "Discharge planning for patients at City Hospital", "0115 496 0411", "city.discharge", ""),
    ("NUH", "Acute Occupational Therapy", "Ruth Bancroft",
     "Home and property assessments before discharge", "0115 496 0412", "acute.ot", ""),
    ("NUH", "Linden Lodge rehabilitation unit", "Ward office",
     "Step-down rehabilitation beds", "0115 496 0413", "linden.lodge", "Ask for the nurse in charge"),
    ("CITYCARE", "Community Occupational Therapy", "Leanne Hodgson",
     "OT reviews in the new home, equipment", "0115 496 0420", "community.ot", ""),
    ("CITYCARE", "Intermediate Care", "Paul Greaves",
     "Community beds and short-term care at home", "0115 496 0421", "intermediate.care", ""),
    ("NOTTSHC", "Inpatient Discharge Team, Highbury Hospital", "Tom Adeyemi",
     "Move-on planning from mental-health wards", "0115 496 0430", "highbury.discharge", ""),
    ("NOTTSHC", "Community Mental Health Team (City South)", "Duty worker",
     "Support after the move for people known to the team", "0115 496 0431", "cmht.south", ""),
    ("NCC", "Adult Social Care, hospital social work team", "Duty social worker",
     "Care packages, adaptations advice, best-interests decisions", "0115 496 0440", "asc.hospital", ""),
    ("NCC", "Environmental Health, private sector housing", "Duty officer",
     "Disrepair and hazards in private rented homes", "0115 496 0441", "environmental.health", ""),
    ("NCC", "Housing Aid", "Duty housing adviser",
     "Homelessness prevention and general-needs applications", "0115 496 0442", "housing.aid", ""),
    ("NCC", "Welfare Rights Service", "Advice line",
     "Benefits checks, PIP and Attendance Allowance claims", "0115 496 0443", "welfare.rights", ""),
    (SERVICE, "Independent Living Coordinators", "Maxine Doyle",
     "Introductions to the scheme and activities in Independent Living", "0115 496 0450",
     "independent.living", ""),
    (SERVICE, "Telecare and community alarms", "Control room",
     "Alarm and pendant installation on move day", "0115 496 0451", "telecare", "24 hours"),
    (SERVICE, "Aids and Adaptations", "Kevin Ashworth",
     "Grab rails, level-access showers, ramps", "0115 496 0452", "adaptations", ""),
    ("FURNITURE", "Furniture and carpets", "Referrals desk",
     "Free or low-cost furniture, white goods and carpets", "0115 496 0460", "referrals",
     "Delivers within a week"),
    ("REMOVALS", "Removals", "Bookings",
     "Removals on move day, paid from the hardship fund", "0115 496 0470", "bookings", ""),
    ("SVH", "Lettings", "Lettings team",
     "Partner landlord voids through HomeLink", "0115 496 0480", "lettings", ""),
    ("CMHA", "Lettings", "Lettings team",
     "Partner landlord voids, including bungalows", "0115 496 0481", "lettings", ""),
)


# ------------------------------------------------------------------------------------------------------------
# Word lists (all made up or very common; no real people)
# ------------------------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_OLDER = _words("""
    Margaret Joan Dorothy Barbara Patricia Jean Brenda Sheila Maureen Eileen Pauline Valerie Irene
    Doreen Sylvia Christine Gloria Hyacinth Kathleen Rita John David Peter Michael Brian Alan
    Kenneth Roy Derek Colin Keith Terry Raymond Geoffrey Ronald Dennis Winston Mohammed Gurdev
    Stanisław
""")
FIRST_YOUNGER = _words("""
    Sarah Emma Claire Lisa Michelle Sophie Chloe Amy Jessica Lauren Aisha Fatima Grace Precious
    Agnieszka Natalie Kelly Stacey Danielle Jade James Mark Paul Andrew Lee Craig Ryan Liam Jordan
    Daniel Jack Kieran Imran Ahmed Kwame Tomasz Marcus Darren Wayne Scott
""")
LAST_NAMES = _words("""
    Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker
    White Roberts Green Hall Wood Jackson Clarke Patel Khan Hussain Ali Begum Kaur Singh Campbell
    Nowak Kowalski Mensah Okafor Hughes Marshall Bennett Ward Turner Parker Cooper Hill Moore King
    Harris Lee Baker Mitchell Shaw Fletcher Barker Brookes Allen Hudson Chapman Reid Spencer Pearson
    Gibson Francis Lambert Riley
""")
STREET_FIRST = _words("""
    Acorn Alder Ashdown Beech Birchwood Bramble Brook Cedar Chestnut Clover Coppice Elmtree Fernlea
    Foxglove Hawthorn Hazel Heron Holly Juniper Kingfisher Larch Linnet Maple Meadowsweet Millstone
    Orchard Primrose Rowan Sandpiper Sorrel Sycamore Thistle Willowbrook Wren
""")
STREET_KIND = ("Road", "Street", "Close", "Avenue", "Gardens", "Way", "Drive", "Crescent", "Grove", "Lane")
COURT_KIND = ("Court", "House", "Lodge", "Mews")

# Footprint districts: neighbourhoods for address line 2 (district → names).
NEIGHBOURHOODS = {
    "NG1": ("City Centre",), "NG2": ("The Meadows", "Sneinton", "West Bridgford"),
    "NG3": ("St Ann's", "Mapperley", "Sneinton"), "NG5": ("Sherwood", "Bestwood", "Top Valley", "Arnold"),
    "NG6": ("Bulwell", "Basford", "Cinderhill"), "NG7": ("Radford", "Lenton", "Hyson Green", "Forest Fields"),
    "NG8": ("Aspley", "Bilborough", "Strelley", "Wollaton"), "NG11": ("Clifton", "Wilford", "Silverdale"),
    "NG9": ("Beeston", "Chilwell"),
}
# Outside the footprint: (district, inward-code digits allowed, town, neighbourhoods, local council).
OUTSIDE = (
    ("NG4", "0123456789", "Nottingham", ("Carlton", "Gedling", "Netherfield"), "Gedling Borough Council"),
    ("NG10", "0123456789", "Nottingham", ("Long Eaton", "Sandiacre"), "Erewash Borough Council"),
    ("NG9", "3456789", "Nottingham", ("Stapleford", "Toton"), "Broxtowe Borough Council"),
    ("DE7", "0123456789", "Ilkeston", ("Ilkeston", "Kirk Hallam"), "Erewash Borough Council"),
    ("DE72", "23", "Derby", ("Draycott", "Borrowash"), "Erewash Borough Council"),
    ("DE21", "4567", "Derby", ("Chaddesden", "Spondon"), "Derby City Council"),
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

PLACES = {
    Setting.ACUTE_HOSPITAL: (
        ("Queen's Medical Centre", ("Ward B3", "Ward C52", "Ward D57", "Ward E12", "Ward F15", "Ward B47")),
        ("Nottingham City Hospital", ("Ward 21", "Ward 25", "Ward 30", "Ward 51", "Ward 26")),
    ),
    Setting.COMMUNITY_HOSPITAL: (
        ("Lings Bar Hospital", ("Ward 1", "Ward 2", "Ward 3")),
        ("Fairfield Intermediate Care Unit", ("Ground floor", "First floor")),
    ),
    Setting.MENTAL_HEALTH_WARD: (
        ("Highbury Hospital", ("Ward 1", "Ward 2", "Ward 3", "Ward 4")),
        ("Riverbank Unit", ("Willow Ward", "Oak Ward")),
    ),
    "step_down_older": (("Linden Lodge", ("Rehabilitation", "Stroke rehabilitation")),),
    "step_down_mh": (("Cedar House step-down unit", ("Flat 2", "Flat 4", "Flat 6")),),
    Setting.CARE_HOME: (
        ("Beechwood Care Home", ("",)), ("Meadow View Care Home", ("",)), ("Orchard House Care Home", ("",)),
    ),
}

REFERRER_ROLES = {
    "NUH": ("Discharge Coordinator", "Ward Sister", "Occupational Therapist", "Physiotherapist",
            "Hospital Social Worker"),
    "CITYCARE": ("Community Matron", "District Nurse", "Community Occupational Therapist"),
    "NOTTSHC": ("Ward Manager", "Care Coordinator", "Community Psychiatric Nurse"),
    "NCC": ("Social Worker", "Environmental Health Officer", "Housing Aid Officer"),
    "SVH": ("Tenancy Sustainment Officer", "Housing Officer"),
    "CMHA": ("Tenancy Sustainment Officer", "Housing Officer"),
    SERVICE: ("Patch Manager", "Independent Living Coordinator"),
}

HOUSING_DETAILS = {
    "accessibility": (
        "Lives in a second-floor flat with no lift; cannot manage the stairs.",
        "Two-storey house with the only toilet upstairs; sleeping downstairs in a chair.",
        "Steps up to the front door; cannot get in or out without help.",
        "Bath only, no shower; cannot get in or out of the bath safely.",
    ),
    "disrepair": (
        "Damp and mould in every room; the boiler has been broken since the winter.",
        "Cold, poorly insulated house; repeated chest infections.",
        "Loose stair carpet and broken handrail; the landlord has not repaired them.",
    ),
    "unsafe": (
        "Has fallen twice at home this year; family worried about a return home.",
        "Home is cluttered and unsafe to return to; no working heating.",
    ),
    "harassment": (
        "Repeated harassment from a neighbour, reported to the police; does not feel safe at home.",
        "Anti-social behaviour in the block; frightened to go out.",
    ),
    "delayed_discharge": (
        "Medically fit for discharge but the current home cannot be adapted in time.",
        "Ready to leave but has no suitable home to go back to.",
    ),
    "overcrowding": ("Lives with family in a two-bedroom house; no room for a carer to stay overnight.",),
    "isolation": (
        "Lives alone far from family; no support network nearby.",
        "Rarely leaves the house; wants to live near their daughter.",
    ),
}
MH_HOUSING_DETAILS = (
    "Tenancy was lost during the admission; no home to return to.",
    "Previous shared house is not suitable; needs a settled home of their own to stay well.",
    "Was sofa-surfing before admission; ready to move on with support.",
)

OFFER_REFUSALS = (
    "second floor with no lift", "too far from family and support", "no room for the carer's equipment",
    "the person did not feel safe in the area",
)
EARLY_CLOSE_NOTES = {
    ClosingReason.WITHDRAWN: (
        "The person decided to stay where they are and withdrew.",
        "Family have arranged for the person to move in with them; referral withdrawn.",
    ),
    ClosingReason.RESIDENTIAL_CARE: ("Assessed as needing 24-hour care; moved to a residential home.",),
    ClosingReason.DIED: (
        "The person died before a move could be arranged. Condolence card sent to the family.",
    ),
    ClosingReason.MOVED_ELSEWHERE: (
        "Found a private rented home through family.",
        "Accepted a home from another landlord through another route.",
    ),
    ClosingReason.NOT_ELIGIBLE: ("No longer needs to move: adaptations at home now meet their needs.",),
}
EARLY_CLOSE_WEIGHTS = (
    (ClosingReason.WITHDRAWN, 35), (ClosingReason.MOVED_ELSEWHERE, 22), (ClosingReason.RESIDENTIAL_CARE, 20),
    (ClosingReason.DIED, 13), (ClosingReason.NOT_ELIGIBLE, 10),
)

HHC_NOTES = {
    S.REFERRAL_RECEIVED: (
        "Called the ward: discharge planned for Friday if housing can be found.",
        "Spoke to the referrer to check consent and the best contact number.",
        "Asked the referrer for the OT's assessment before screening.",
    ),
    S.SCREENED: (
        "First visit booked for next week, with their son present.",
        "Visit arranged with the discharge coordinator.",
        "Called to arrange the first visit: no answer, will try again tomorrow.",
    ),
    S.FIRST_VISIT: (
        "Medical evidence requested from the OT for the proforma.",
        "Proforma sent to the housing manager for sign-off.",
        "Needs a ground-floor home near family in {neighbourhood}.",
    ),
    S.APPLICATION_LIVE: (
        "Bid placed on two {property}s this cycle.",
        "Shortlisted at position 2 for {a_property} in {neighbourhood}.",
        "Void held for a direct offer: waiting for the repairs to finish.",
        "No suitable {property} this cycle; bids placed for next week.",
        "OT asked to look at the floor plan of a possible {property}.",
    ),
    S.OFFER: (
        "Viewing arranged for Tuesday with the OT.",
        "OT assessed the property: a level-access shower is needed before the move.",
        "Viewed the property with their daughter and keen to accept.",
    ),
    S.TENANCY_START: (
        "Furniture ordered from the furniture project; delivery on move day.",
        "Telecare alarm installation arranged.",
        "Benefits check referral made; council tax reduction form sent.",
        "Introduced to the Independent Living Coordinator.",
        "Utilities set up and meter readings taken.",
    ),
    S.FOLLOW_UP_2W: (
        "Settling in well; grab rail needed by the back door, referred to adaptations.",
        "Phoned to check in: carpets fitted, all going well.",
        "Helped with a housing benefit query.",
        "Referred to the befriending group at the community centre.",
    ),
    S.FOLLOW_UP_6M: (
        "Hospital admissions to be checked by the information team before closing.",
        "Feels safe and is managing well: ready to close.",
    ),
}
ADMIN_NOTES = {
    S.REFERRAL_RECEIVED: ("Referral details checked against the housing register.",),
    S.SCREENED: ("Letter sent confirming the first visit.",),
    S.FIRST_VISIT: ("Chased the medical evidence from the GP surgery.",),
    S.APPLICATION_LIVE: (
        "Bids checked for this cycle.", "Application details updated on the lettings system.",
    ),
    S.OFFER: ("Sign-up appointment booked.",),
    S.TENANCY_START: ("Removals booked for move day.", "Furniture delivery confirmed."),
    S.FOLLOW_UP_2W: ("6-month visit booked.",),
    S.FOLLOW_UP_6M: ("Survey answers entered.",),
}
# Days from referral to screening (the HHC screens within a few working days).
SCREENING_LAG = ((0, 15), (1, 30), (2, 25), (3, 15), (4, 8), (6, 7))
MISFIT_AGES = {"young_community": (25, 54), "wheelchair_at_home": (22, 54), "mh_family": (24, 50),
               "mh_not_ready": (19, 58), "under_55_acute": (35, 54), "55_no_benefit": (55, 59)}
PROPERTY_WORDS = {OLDER: "Independent Living flat", WHEELCHAIR: "bungalow", MENTAL_HEALTH: "one-bedroom flat"}
# fmt: on


# ------------------------------------------------------------------------------------------------------------
# The plan (pure: no database)
# ------------------------------------------------------------------------------------------------------------


@dataclass
class Step:
    """One thing that happens to a case after the referral: a decision, a stage move or a note."""

    on: date
    kind: str  # accept | decline | move | note
    by: str  # a username, or ASSIGNED
    to_stage: str = ""
    closing_reason: str = ""
    note: str = ""
    cohort: str = ""
    onward: str = ""
    at: datetime | None = None


@dataclass
class PlannedReferral:
    key: int  # order of generation (stable tie-break)
    answers: dict
    referrer_org: str
    keyed_by: str
    received_via: str
    received_on: date
    outcome: str  # accept | decline | unscreened | linked
    cohort: str = ""  # the cohort it was built for (NOT_FIT for the misfits)
    in_footprint: bool = True
    auto_assign: bool = True
    duplicate_of: int | None = None  # key of the referral whose open case this one is linked to
    handover: bool = False
    received_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def final_stage(self) -> str:
        if self.outcome == "linked":
            return "linked"
        moves = [s.to_stage for s in self.steps if s.kind in ("accept", "decline", "move")]
        return moves[-1] if moves else S.REFERRAL_RECEIVED

    @property
    def closing_reason(self) -> str:
        closes = [s.closing_reason for s in self.steps if s.to_stage == S.CLOSED]
        return closes[-1] if closes else ""


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _drama_mobile(rng: random.Random) -> str:
    return f"07700 900{rng.randrange(1000):03d}"


def _drama_landline(rng: random.Random) -> str:
    return f"0115 496 0{rng.randrange(500, 1000):03d}"


class _Planner:
    def __init__(self, seed: int, area: Area, today: date):
        missing = [c for c in COHORTS if area.cohort(c) is None]
        if missing:
            raise DemoDataError(
                f"The demo data is written for the Nottingham area file; this area has no cohort {missing}."
            )
        self.rng = random.Random(seed)  # noqa: S311 - made-up demo data, nothing secret
        self.area = area
        self.today = today
        self.horizon = today - timedelta(days=1)  # everything planned happened by yesterday evening
        self.nhs_used: set[str] = set()
        self.people_used: set[tuple[str, str, date]] = set()

    # -- identifiers -----------------------------------------------------------------------------------------
    def nhs_number(self) -> str:
        while True:
            first_nine = f"999{self.rng.randrange(1_000_000):06d}"
            check = nhs_number_check_digit(first_nine)
            if check is None:
                continue
            number = f"{first_nine}{check}"
            if number not in self.nhs_used:
                self.nhs_used.add(number)
                return number

    def postcode(self, inside: bool) -> tuple[str, str, tuple[str, ...], str]:
        """(postcode, town, neighbourhoods, local council if outside)."""
        rng = self.rng
        for _ in range(100):
            if inside:
                entry = rng.choice(self.area.footprint)
                if " " in entry:
                    district, digits = entry.split(" ")
                else:
                    district, digits = entry, "0123456789"
                town, places, council = "Nottingham", NEIGHBOURHOODS.get(district, ("Nottingham",)), ""
            else:
                district, digits, town, places, council = rng.choice(OUTSIDE)
            code = f"{district} {rng.choice(digits)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
            if postcode_is_valid(code) and self.area.in_footprint(code) == inside:
                return code, town, places, council
        raise DemoDataError("could not make a postcode for the area footprint")

    # -- a person --------------------------------------------------------------------------------------------
    def person(self, age: int, received_on: date, inside: bool, with_nhs: bool) -> dict:
        rng = self.rng
        while True:
            dob = _years_before(received_on, age) - timedelta(days=rng.randint(1, 360))
            first = rng.choice(FIRST_OLDER if age >= 60 else FIRST_YOUNGER)  # by age, not calendar year
            last = rng.choice(LAST_NAMES)
            if (first.lower(), last.lower(), dob) not in self.people_used:
                self.people_used.add((first.lower(), last.lower(), dob))
                break
        postcode, town, places, council = self.postcode(inside)
        street = f"{rng.choice(STREET_FIRST)} {rng.choice(STREET_KIND)}"
        if rng.random() < 0.3:
            line_1 = f"Flat {rng.randint(1, 24)}, {rng.choice(STREET_FIRST)} {rng.choice(COURT_KIND)}"
            line_2 = street
        else:
            line_1 = f"{rng.randint(1, 180)} {street}"
            line_2 = rng.choice(places) if rng.random() < 0.6 else ""
        email = ""
        if rng.random() < 0.12:
            local = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
            email = f"{local}{rng.randint(10, 99)}@example.org"
        return {
            "first_name": first,
            "last_name": last,
            "date_of_birth": dob,
            "nhs_number": self.nhs_number() if with_nhs else "",
            "address_line_1": line_1,
            "address_line_2": line_2,
            "town": town,
            "postcode": postcode,
            "phone": _drama_mobile(rng) if rng.random() < 0.75 else "",
            "email": email,
            "_neighbourhood": rng.choice(places),
            "_council": council,
        }

    # -- where they are, why, household ----------------------------------------------------------------------
    def place(self, setting: str, cohort: str) -> tuple[str, str]:
        key = setting
        if setting == Setting.STEP_DOWN_UNIT:
            key = "step_down_mh" if cohort == MENTAL_HEALTH else "step_down_older"
        hospital, wards = self.rng.choice(PLACES[key])
        return hospital, self.rng.choice(wards)

    def bed_dates(
        self, setting: str, received_on: date, ready: bool, long_stay: bool
    ) -> tuple[date, date | None]:
        rng = self.rng
        stay = rng.randint(14, 120) if long_stay else rng.randint(3, 50)
        admitted = received_on - timedelta(days=stay)
        ready_on = admitted + timedelta(days=rng.randint(1, stay)) if ready else None
        return admitted, ready_on

    def referral_fields(self, cohort: str, age: int, received_on: date, variant: str = "") -> dict:
        """The 'where now', 'housing' and 'household' answers for someone built for a cohort (or a misfit)."""
        rng = self.rng
        answers: dict = {}
        if cohort == OLDER:
            setting = _weighted(
                rng,
                [
                    (Setting.ACUTE_HOSPITAL, 36),
                    (Setting.COMMUNITY_HOSPITAL, 12),
                    (Setting.STEP_DOWN_UNIT, 7),
                    (Setting.CARE_HOME, 8),
                    (Setting.COMMUNITY, 37),
                ],
            )
            household = _weighted(rng, [(1, 68), (2, 29), (3, 3)])
            wheelchair = _weighted(rng, [(Wc.NONE, 75), (Wc.OCCASIONAL, 20), (Wc.ESSENTIAL, 5)])
            mobility = _weighted(
                rng, [(Mob.INDEPENDENT, 15), (Mob.WALKING_AID, 55), (Mob.LIMITED, 27), (Mob.BED_BOUND, 3)]
            )
            tenure = _weighted(
                rng,
                [
                    (Tenure.COUNCIL_TENANT, 30),
                    (Tenure.OWNER_OCCUPIER, 25),
                    (Tenure.PRIVATE_RENTED, 20),
                    (Tenure.HOUSING_ASSOCIATION, 10),
                    (Tenure.LIVING_WITH_FAMILY, 10),
                    (Tenure.OTHER, 5),
                ],
            )
            if age < 60:
                benefits = [rng.choice([Ben.PIP, Ben.DLA])]
            elif age >= 66:
                benefits = [Ben.ATTENDANCE_ALLOWANCE] if rng.random() < 0.35 else []
            else:
                benefits = [Ben.PIP] if rng.random() < 0.25 else []
            pool = ["accessibility", "disrepair", "unsafe", "isolation", "harassment", "overcrowding"]
            reasons = rng.sample(pool, k=_weighted(rng, [(1, 50), (2, 40), (3, 10)]))
            has_carer = rng.random() < 0.45
        elif cohort == WHEELCHAIR:
            setting = _weighted(rng, [(Setting.ACUTE_HOSPITAL, 72), (Setting.COMMUNITY_HOSPITAL, 28)])
            household = _weighted(rng, [(1, 50), (2, 35), (3, 15)])
            wheelchair, mobility = Wc.ESSENTIAL, _weighted(rng, [(Mob.LIMITED, 85), (Mob.BED_BOUND, 15)])
            tenure = _weighted(
                rng,
                [
                    (Tenure.COUNCIL_TENANT, 30),
                    (Tenure.PRIVATE_RENTED, 25),
                    (Tenure.OWNER_OCCUPIER, 20),
                    (Tenure.LIVING_WITH_FAMILY, 20),
                    (Tenure.HOUSING_ASSOCIATION, 5),
                ],
            )
            if age >= 66:
                benefits = [rng.choice([Ben.ATTENDANCE_ALLOWANCE, Ben.DLA])] if rng.random() < 0.7 else []
            else:
                benefits = [_weighted(rng, [(Ben.PIP, 80), (Ben.DLA, 20)])] if rng.random() < 0.7 else []
            reasons = ["accessibility", "delayed_discharge"] + (["unsafe"] if rng.random() < 0.2 else [])
            has_carer = rng.random() < 0.6
        elif cohort == MENTAL_HEALTH:
            setting = _weighted(rng, [(Setting.MENTAL_HEALTH_WARD, 75), (Setting.STEP_DOWN_UNIT, 25)])
            household = 1
            wheelchair, mobility = Wc.NONE, _weighted(rng, [(Mob.INDEPENDENT, 90), (Mob.WALKING_AID, 10)])
            tenure = _weighted(
                rng,
                [
                    (Tenure.HOMELESS, 25),
                    (Tenure.PRIVATE_RENTED, 30),
                    (Tenure.LIVING_WITH_FAMILY, 25),
                    (Tenure.COUNCIL_TENANT, 15),
                    (Tenure.OTHER, 5),
                ],
            )
            benefits = [Ben.PIP] if rng.random() < 0.3 else []
            reasons = ["delayed_discharge"] + rng.sample(
                ["unsafe", "harassment", "isolation"], k=rng.randint(0, 1)
            )
            has_carer = rng.random() < 0.1
        else:  # a misfit: built to fail every cohort in a recognisable way
            tenure = _weighted(
                rng,
                [
                    (Tenure.PRIVATE_RENTED, 40),
                    (Tenure.COUNCIL_TENANT, 25),
                    (Tenure.LIVING_WITH_FAMILY, 20),
                    (Tenure.HOUSING_ASSOCIATION, 15),
                ],
            )
            benefits, has_carer = [], rng.random() < 0.2
            wheelchair, mobility, household = Wc.NONE, Mob.INDEPENDENT, rng.randint(1, 3)
            if variant == "young_community":
                setting, reasons = (
                    Setting.COMMUNITY,
                    rng.sample(["disrepair", "overcrowding", "harassment"], k=2),
                )
                household = rng.randint(2, 4)
            elif variant == "wheelchair_at_home":
                setting, reasons = Setting.COMMUNITY, ["accessibility"]
                wheelchair, mobility = Wc.ESSENTIAL, Mob.LIMITED
                benefits = [Ben.PIP] if rng.random() < 0.6 else []
            elif variant == "mh_family":
                setting, reasons, household = (
                    Setting.MENTAL_HEALTH_WARD,
                    ["delayed_discharge"],
                    rng.randint(2, 4),
                )
            elif variant == "mh_not_ready":
                setting, reasons, household = Setting.MENTAL_HEALTH_WARD, ["delayed_discharge", "unsafe"], 1
            elif variant == "under_55_acute":
                setting, reasons = Setting.ACUTE_HOSPITAL, ["accessibility", "delayed_discharge"]
                mobility = Mob.WALKING_AID
            else:  # "55_no_benefit"
                setting, reasons = Setting.COMMUNITY, ["accessibility"]
                mobility, household = Mob.WALKING_AID, rng.randint(1, 2)
        answers["setting"] = setting
        if setting in valuesets.BED_SETTINGS:
            answers["hospital"], answers["ward"] = self.place(setting, cohort)
            ready = True
            if cohort in (OLDER, WHEELCHAIR):
                ready = rng.random() < 0.65
            if variant == "mh_not_ready":
                ready = False
            if setting == Setting.CARE_HOME:
                ready = rng.random() < 0.3
            long_stay = setting in (Setting.MENTAL_HEALTH_WARD, Setting.STEP_DOWN_UNIT, Setting.CARE_HOME)
            answers["admission_date"], answers["medically_ready_date"] = self.bed_dates(
                setting, received_on, ready, long_stay
            )
        else:
            answers.update(hospital="", ward="", admission_date=None, medically_ready_date=None)
        if cohort == MENTAL_HEALTH or variant in ("mh_family", "mh_not_ready"):
            details = rng.choice(MH_HOUSING_DETAILS)
        else:
            details = rng.choice(HOUSING_DETAILS[reasons[0]])
        household_details, carers = (
            "",
            [
                "Daughter visits every day.",
                "Care package four times a day.",
                "Son helps with shopping and meals.",
            ],
        )
        if household == 2:
            household_details, carer = rng.choice(
                [
                    ("Lives with their partner, who will move too.", "Partner is the main carer."),
                    (
                        "Adult son will move with them as their carer.",
                        "Son is the main carer and lives with them.",
                    ),
                ]
            )
            carers.append(carer)
        elif household >= 3:
            household_details = rng.choice(["Partner and two children.", "Partner and adult daughter."])
            carers.append("Partner is the main carer.")
        carer_details = rng.choice(carers) if has_carer else ""
        answers.update(
            reasons=reasons,
            housing_details=details,
            tenure=tenure,
            household_size=household,
            household_details=household_details,
            has_carer=has_carer,
            carer_details=carer_details,
            mobility=mobility,
            wheelchair_use=wheelchair,
            benefits=sorted(benefits),
        )
        return answers

    def referrer(self, setting: str, cohort: str, answers: dict) -> tuple[str, str, str, dict]:
        """(organisation code, keyed by, received via, referrer answers)."""
        rng = self.rng
        if setting == Setting.ACUTE_HOSPITAL:
            org, online = "NUH", ["referrer", "referrer", "referrer-ot"]
        elif setting == Setting.COMMUNITY_HOSPITAL:
            org, online = "CITYCARE", ["referrer-community"]
        elif setting == Setting.MENTAL_HEALTH_WARD:
            org, online = "NOTTSHC", ["referrer-mh"]
        elif setting == Setting.STEP_DOWN_UNIT:
            org, online = (
                ("NOTTSHC", ["referrer-mh"])
                if answers["hospital"].startswith("Cedar")
                else ("NUH", ["referrer", "referrer-ot"])
            )
        elif setting == Setting.CARE_HOME:
            org, online = "NCC", ["referrer-council"]
        else:
            org = _weighted(
                rng, [("NCC", 40), ("CITYCARE", 30), ("SVH", 8), ("CMHA", 7), (SERVICE, 10), ("NOTTSHC", 5)]
            )
            online = {
                "NCC": ["referrer-council"],
                "CITYCARE": ["referrer-community"],
                "NOTTSHC": ["referrer-mh"],
            }.get(org, [])
        if online and rng.random() < 0.7:
            spec = USERS_BY_NAME[rng.choice(online)]
            return (
                org,
                spec.username,
                Referral.ReceivedVia.ONLINE,
                {
                    "referrer_name": spec.full_name,
                    "referrer_role": spec.job_title,
                    "referrer_phone": spec.phone,
                    "referrer_email": spec.email,
                },
            )
        first, last = rng.choice(FIRST_YOUNGER), rng.choice(LAST_NAMES)
        via = _weighted(rng, [(Referral.ReceivedVia.PHONE, 60), (Referral.ReceivedVia.EMAIL, 40)])
        keyed_by = "admin-officer" if rng.random() < 0.5 else rng.choice(HHCS)
        return (
            org,
            keyed_by,
            via,
            {
                "referrer_name": f"{first} {last}",
                "referrer_role": rng.choice(REFERRER_ROLES[org]),
                "referrer_phone": _drama_landline(rng),
                "referrer_email": f"{first}.{last}@example.org".lower()
                if via == Referral.ReceivedVia.EMAIL
                else "",
            },
        )

    def consent(self, cohort: str, age: int) -> dict:
        rng = self.rng
        best_interests = cohort == OLDER and age >= 75 and rng.random() < 0.2
        sharing = [Referral.Sharing.HOUSING]
        if rng.random() < 0.9:
            sharing.append(Referral.Sharing.HEALTH)
        if rng.random() < 0.7:
            sharing.append(Referral.Sharing.COUNCIL)
        if rng.random() < 0.75:
            sharing.append(Referral.Sharing.EVALUATION)
        if best_interests:
            return {
                "consent": Referral.Consent.BEST_INTERESTS,
                "consent_sharing": [str(s) for s in sharing],
                "consent_decision_maker": rng.choice(
                    [
                        "Consultant geriatrician, with the family",
                        "Hospital social worker (best-interests meeting)",
                    ]
                ),
                "consent_notes": (
                    "Capacity assessed on the ward for decisions about where to live; family involved."
                ),
            }
        return {
            "consent": Referral.Consent.GIVEN,
            "consent_sharing": [str(s) for s in sharing],
            "consent_decision_maker": "",
            "consent_notes": "",
        }

    def facts(self, answers: dict, received_on: date) -> Facts:
        """The same facts h2h.referrals.services.referral_facts takes from the saved referral."""
        return Facts(
            age=age_on(answers["date_of_birth"], received_on),
            benefits=frozenset(answers["benefits"]),
            setting=answers["setting"],
            wheelchair=answers["wheelchair_use"],
            mobility=answers["mobility"],
            household_size=answers["household_size"],
            reasons=frozenset(answers["reasons"]),
            tenure=answers["tenure"],
            medically_ready=answers["medically_ready_date"] is not None,
        )

    def passed(self, answers: dict, received_on: date) -> list[str]:
        return [r.code for r in evaluate_all(self.area, self.facts(answers, received_on)) if r.passed]

    # -- one referral ----------------------------------------------------------------------------------------
    def age_for(self, cohort: str, variant: str) -> int:
        rng = self.rng
        if cohort == OLDER:
            return rng.randint(55, 59) if rng.random() < 0.08 else int(rng.triangular(60, 96, 80))
        if cohort == WHEELCHAIR:
            return int(rng.triangular(18, 90, 58))
        if cohort == MENTAL_HEALTH:
            return int(rng.triangular(18, 65, 38))
        return rng.randint(*MISFIT_AGES[variant])

    def referral(self, key: int, cohort: str, received_on: date, inside: bool) -> tuple[PlannedReferral, str]:
        """A referral built for a cohort (or to fit none), checked against the area's rules."""
        rng = self.rng
        variant = ""
        for _ in range(50):
            if cohort == NOT_FIT:
                variant = rng.choice(
                    [
                        "young_community",
                        "wheelchair_at_home",
                        "mh_family",
                        "mh_not_ready",
                        "under_55_acute",
                        "55_no_benefit",
                    ]
                )
            age = self.age_for(cohort, variant)
            fields = self.referral_fields(cohort, age, received_on, variant)
            person = self.person(age, received_on, inside, with_nhs=rng.random() < 0.9)
            answers = {**person, **fields}
            passed = self.passed(answers, received_on)
            if (cohort == NOT_FIT and not passed) or cohort in passed:
                break
            # Not what was intended: free the identifiers and try again.
            self.nhs_used.discard(person["nhs_number"])
            self.people_used.discard(
                (person["first_name"].lower(), person["last_name"].lower(), person["date_of_birth"])
            )
        else:
            raise DemoDataError(f"could not build a referral for {cohort}")
        org, keyed_by, via, referrer = self.referrer(answers["setting"], cohort, answers)
        answers.update(referrer)
        answers.update(self.consent(cohort, age))
        planned = PlannedReferral(
            key=key,
            answers=answers,
            referrer_org=org,
            keyed_by=keyed_by,
            received_via=via,
            received_on=received_on,
            outcome="",
            cohort=cohort,
            in_footprint=inside,
        )
        return planned, variant

    # -- what happens next -----------------------------------------------------------------------------------
    def decline_reason(self, p: PlannedReferral, variant: str) -> tuple[str, str]:
        a = p.answers
        age = age_on(a["date_of_birth"], p.received_on)
        reasons = {
            "young_community": (
                f"Does not fit a cohort: aged {age}, at home and not in a high-demand bed.",
                "Referred to Housing Aid for a general-needs application"
                + (
                    "; Environmental Health asked to inspect the disrepair."
                    if "disrepair" in a["reasons"]
                    else "."
                ),
            ),
            "wheelchair_at_home": (
                f"Essential wheelchair user aged {age}, but at home rather than in a hospital bed.",
                "Advice on adaptations via Adult Social Care; "
                "housing register application with medical priority.",
            ),
            "mh_family": (
                "Ready to move on from a mental-health ward, but the household is "
                f"{a['household_size']} people: "
                "the move-on flats are for single people.",
                "Referred to Housing Aid for a family-sized general-needs application; "
                "ward social worker told.",
            ),
            "mh_not_ready": (
                "Not yet ready to move on: the ward has not set a date the person is medically ready.",
                "Advice to the ward: re-refer when the person is ready to move on.",
            ),
            "under_55_acute": (
                f"Aged {age}, not an essential wheelchair user and not in a mental-health bed: "
                "fits no cohort.",
                "Advice on adaptations via Adult Social Care; Housing Aid for a general-needs application.",
            ),
            "55_no_benefit": (
                f"Aged {age} without DLA or PIP: the older people cohort starts at 60 (55 with DLA or PIP).",
                "Referred to the Welfare Rights Service for a PIP claim; re-refer if PIP is awarded.",
            ),
        }
        return reasons[variant]

    def rehousing_days(self, cohort: str) -> int:
        mean = {OLDER: 50, WHEELCHAIR: 72, MENTAL_HEALTH: 55}[cohort]
        sigma = 0.38
        mu = math.log(mean) - sigma * sigma / 2
        return max(20, min(120, round(self.rng.lognormvariate(mu, sigma))))

    def words(self, p: PlannedReferral) -> dict:
        word = PROPERTY_WORDS.get(p.cohort, "home")
        return {
            "property": word,
            "a_property": f"{'an' if word[0] in 'AEIOU' else 'a'} {word}",
            "neighbourhood": p.answers["_neighbourhood"],
        }

    def accepted_timeline(self, p: PlannedReferral, screen_note: str) -> list[Step]:
        rng = self.rng
        r = p.received_on
        words = self.words(p)
        day = lambda n: r + timedelta(days=n)  # noqa: E731
        screened = _weighted(rng, SCREENING_LAG)
        visited = screened + rng.randint(2, 10)
        live = visited + (rng.choice([0, 0, 1]) if rng.random() < 0.65 else rng.randint(2, 10))
        tenancy = max(self.rehousing_days(p.cohort), live + 8)
        last_offer = tenancy - rng.randint(3, min(12, tenancy - live - 1))
        steps = [
            Step(day(screened), "accept", ASSIGNED, to_stage=S.SCREENED, cohort=p.cohort, note=screen_note),
            Step(
                day(visited),
                "move",
                ASSIGNED,
                to_stage=S.FIRST_VISIT,
                note=rng.choice(
                    [
                        "Baseline survey done; consent confirmed for sharing with the hospital team.",
                        "Visited on the ward with the OT; baseline survey done.",
                        "Home visit: needs level access and a walk-in shower. Baseline survey done.",
                        "Baseline survey done.",
                    ]
                ),
            ),
            Step(
                day(live),
                "move",
                "housing-manager",
                to_stage=S.APPLICATION_LIVE,
                note=rng.choice(
                    [
                        "Fast-track approved: medical priority band, effective date set 12 months earlier.",
                        "Signed off the same day; panel to review for audit.",
                    ]
                ),
            ),
        ]
        if last_offer - live >= 10 and rng.random() < 0.22:
            first_offer = live + rng.randint(1, last_offer - live - 6)
            refused = first_offer + rng.randint(2, 5)
            steps += [
                Step(
                    day(first_offer),
                    "move",
                    ASSIGNED,
                    to_stage=S.OFFER,
                    note=f"Offer of {words['a_property']} through a Choice-Based Lettings bid.",
                ),
                Step(
                    day(refused),
                    "move",
                    ASSIGNED,
                    to_stage=S.APPLICATION_LIVE,
                    note=f"Offer refused: {rng.choice(OFFER_REFUSALS)}. Back to bidding.",
                ),
            ]
        route = rng.choice(
            [
                f"Offer of {words['a_property']} in {words['neighbourhood']} "
                "through a Choice-Based Lettings bid.",
                f"Direct offer of {words['a_property']} in {words['neighbourhood']}: "
                "void held before advertising.",
            ]
        )
        steps += [
            Step(day(last_offer), "move", ASSIGNED, to_stage=S.OFFER, note=route),
            Step(
                day(tenancy),
                "move",
                ASSIGNED,
                to_stage=S.TENANCY_START,
                note="Tenancy signed; moved in with help from the removals team.",
            ),
        ]
        two_weeks = tenancy + self.area.first_follow_up_days + rng.randint(0, 4)
        six_months = (
            tenancy + 182 + rng.randint(0, 12)
        )  # about six months, in days so the plan ignores the calendar
        closed = six_months + rng.randint(0, 28)  # after the hospital-activity check
        steps += [
            Step(day(two_weeks), "move", ASSIGNED, to_stage=S.FOLLOW_UP_2W, note="2-week visit done."),
            Step(
                day(six_months),
                "move",
                ASSIGNED,
                to_stage=S.FOLLOW_UP_6M,
                note="6-month visit done; follow-up survey completed.",
            ),
            Step(
                day(closed),
                "move",
                ASSIGNED,
                to_stage=S.CLOSED,
                closing_reason=ClosingReason.REHOUSED,
                note="Follow-up complete: case closed.",
            ),
        ]
        if rng.random() < 0.12:  # ends early
            stop_after = _weighted(rng, [(0, 20), (1, 25), (2, 45), (3 if len(steps) > 3 else 2, 10)])
            stop_after = min(stop_after, [s.to_stage for s in steps].index(S.TENANCY_START) - 1)
            start, end = steps[stop_after].on, steps[stop_after + 1].on
            when = start + timedelta(days=rng.randint(0, max(0, (end - start).days - 1)))
            reason = _weighted(rng, EARLY_CLOSE_WEIGHTS)
            by = "project-manager" if rng.random() < 0.2 else ASSIGNED
            steps = steps[: stop_after + 1] + [
                Step(
                    when,
                    "move",
                    by,
                    to_stage=S.CLOSED,
                    closing_reason=reason,
                    note=rng.choice(EARLY_CLOSE_NOTES[reason]),
                )
            ]
        return steps

    def notes(self, p: PlannedReferral) -> list[Step]:
        """0–4 case notes, each dated while the case sat at the stage the note is about."""
        rng = self.rng
        if p.outcome == "decline":
            if rng.random() < 0.4:
                return [
                    Step(p.received_on, "note", ASSIGNED, note=rng.choice(HHC_NOTES[S.REFERRAL_RECEIVED][1:]))
                ]
            return []
        if p.outcome != "accept":
            return []
        marks = [(S.REFERRAL_RECEIVED, p.received_on)] + [
            (s.to_stage, s.on) for s in p.steps if s.kind in ("accept", "move")
        ]
        windows = []
        for i, (stage, start) in enumerate(marks):
            if stage == S.CLOSED:
                continue
            end = marks[i + 1][1] - timedelta(days=1) if i + 1 < len(marks) else self.horizon
            if end >= start:
                windows.append((stage, start, end))
        count = _weighted(rng, [(0, 20), (1, 30), (2, 25), (3, 15), (4, 10)])
        notes = []
        for _ in range(min(count, len(windows))):
            stage, start, end = rng.choice(windows)
            on = start + timedelta(days=rng.randint(0, (end - start).days))
            if rng.random() < 0.25:
                by, text = "admin-officer", rng.choice(ADMIN_NOTES[stage])
            else:
                templates = HHC_NOTES[stage]
                if stage == S.REFERRAL_RECEIVED and p.answers["setting"] == Setting.COMMUNITY:
                    templates = templates[1:]
                by, text = ASSIGNED, rng.choice(templates).format(**self.words(p))
            notes.append(Step(on, "note", by, note=text))
        return notes


def _cut(steps: list[Step], horizon: date) -> list[Step]:
    return [s for s in steps if s.on <= horizon]


def build_plan(
    seed: int = DEFAULT_SEED,
    referrals: int = DEFAULT_REFERRALS,
    today: date | None = None,
    area: Area | None = None,
) -> list[PlannedReferral]:
    """Everything the demo will contain, decided from the seed alone, in the order it is received."""
    area = area or get_area()
    today = today or timezone.localdate()
    planner = _Planner(seed, area, today)
    rng = planner.rng
    horizon = planner.horizon
    if referrals <= 0:
        return []

    n_dup = round(referrals * 0.03) if referrals >= 20 else 0
    n_primary = referrals - n_dup
    n_not_fit = round(n_primary * 0.15)
    n_wheelchair = round(n_primary * 0.18)
    n_mh = round(n_primary * 0.22)
    intents = (
        [NOT_FIT] * n_not_fit
        + [WHEELCHAIR] * n_wheelchair
        + [MENTAL_HEALTH] * n_mh
        + [OLDER] * (n_primary - n_not_fit - n_wheelchair - n_mh)
    )
    rng.shuffle(intents)
    outside = [True] * round(n_primary * 0.10)
    outside += [False] * (n_primary - len(outside))
    rng.shuffle(outside)
    received = sorted(horizon - timedelta(days=_days_ago(rng)) for _ in range(n_primary))
    # A few of the newest referrals wait, unassigned, for the project manager to allocate.
    n_unassigned = min(5, max(1, n_primary // 50), n_primary)
    recent = sum(1 for day in received if (horizon - day).days <= 10)
    unassigned = set(rng.sample(range(n_primary - max(recent, n_unassigned), n_primary), k=n_unassigned))

    plan: list[PlannedReferral] = []
    for key, (cohort, is_outside, received_on) in enumerate(zip(intents, outside, received, strict=True)):
        p, variant = planner.referral(key, cohort, received_on, inside=not is_outside)
        if key in unassigned:
            p.outcome, p.auto_assign = "unscreened", False
            plan.append(p)
            continue
        screen_on = received_on + timedelta(days=_weighted(rng, SCREENING_LAG))
        if cohort == NOT_FIT or (is_outside and rng.random() < 0.6):
            if cohort == NOT_FIT:
                reason, onward = planner.decline_reason(p, variant)
                if is_outside:
                    reason += (
                        f" Also lives outside the partnership area ({p.answers['postcode'].split()[0]})."
                    )
            else:
                district = p.answers["postcode"].split()[0]
                reason = (
                    f"Lives outside the partnership area ({district}): the service covers Nottingham only."
                )
                onward = (
                    f"Referred to {p.answers['_council']} housing options team; "
                    "advice given on applying with medical priority."
                )
            p.outcome = "decline"
            by = "project-manager" if rng.random() < 0.1 else ASSIGNED
            p.steps = [
                Step(
                    screen_on,
                    "decline",
                    by,
                    to_stage=S.CLOSED,
                    closing_reason=ClosingReason.NOT_ELIGIBLE,
                    note=reason,
                    onward=onward,
                )
            ]
        else:
            note = ""
            if is_outside:
                note = (
                    "Outside the footprint, but has a local connection: "
                    + rng.choice(
                        [
                            "family in Nottingham who will support the move.",
                            "long-term patient at a Nottingham hospital and wants to live near family.",
                            "moving back to the city to be near their carer.",
                        ]
                    )
                    + " Accepted after discussion with the project manager."
                )
            elif rng.random() < 0.2:
                note = rng.choice(
                    [
                        "Fits the criteria; first visit to be arranged with the ward.",
                        "Accepted: urgent, discharge is waiting on housing.",
                    ]
                )
            p.outcome = "accept"
            p.steps = planner.accepted_timeline(p, note)
        p.steps = _cut(p.steps, horizon)
        if not p.steps:  # received in the last few days and not screened yet
            p.outcome = "unscreened"
        plan.append(p)

    _cover_open_stages(plan, horizon)

    # Repeat referrals while the first case is open (same NHS number): linked, not a new case.
    candidates = []
    for p in plan:
        if p.outcome != "accept" or not p.answers["nhs_number"] or not p.steps:
            continue
        start = p.steps[0].on  # screened
        ends = [s.on for s in p.steps if s.to_stage in (S.TENANCY_START, S.CLOSED)]
        end = ends[0] if ends else horizon + timedelta(days=1)
        if (end - start).days >= 3:
            candidates.append((p, start, end))
    dups = []
    for n, (orig, start, end) in enumerate(rng.sample(candidates, k=min(n_dup, len(candidates)))):
        on = start + timedelta(days=rng.randint(1, (end - start).days - 1))
        # The same person, referred again: identity and contact as the form takes them, plus the planner's notes.
        person = {k: orig.answers[k] for k in (*PERSON_FIELDS, "_neighbourhood", "_council")}
        age = age_on(person["date_of_birth"], on)
        fields = planner.referral_fields(orig.cohort, age, on)
        answers = {**person, **fields}
        org, keyed_by, via, referrer = planner.referrer(answers["setting"], orig.cohort, answers)
        answers.update(referrer)
        answers.update(planner.consent(orig.cohort, age))
        dup = PlannedReferral(
            key=n_primary + n,
            answers=answers,
            referrer_org=org,
            keyed_by=keyed_by,
            received_via=via,
            received_on=on,
            outcome="linked",
            cohort=orig.cohort,
            in_footprint=orig.in_footprint,
            duplicate_of=orig.key,
        )
        note_on = on + timedelta(days=1)
        if rng.random() < 0.6 and note_on < end and note_on <= horizon:
            orig.steps.append(
                Step(
                    note_on,
                    "note",
                    ASSIGNED,
                    note="Second referral for the same episode linked to this case; no change to the plan.",
                )
            )
        dups.append(dup)

    for p in plan:
        p.steps += planner.notes(p)
        p.steps.sort(
            key=lambda s: s.on
        )  # stable: a note stays after the stage move it follows on the same day
    plan += dups

    # Times of day: received in working hours; each later step of a case strictly after the one before.
    for p in plan:
        minute = rng.randint(8 * 60, 16 * 60 + 30)
        p.received_at = _aware(p.received_on, minute)
        last_on, last_minute = p.received_on, minute
        for step in p.steps:
            if step.on == last_on:
                minute = min(last_minute + rng.randint(10, 75), 23 * 60 + 58)
                minute = max(minute, last_minute + 1)
            else:
                minute = rng.randint(9 * 60, 17 * 60)
            step.at = _aware(step.on, minute)
            last_on, last_minute = step.on, minute

    # Cover for absence: a few open cases handed to another coordinator (today, by the project manager),
    # preferably ones still being worked on rather than waiting for the 6-month visit.
    k = max(1, round(n_primary * 0.015))
    active = [
        p
        for p in plan
        if p.outcome == "accept"
        and p.final_stage in (S.SCREENED, S.FIRST_VISIT, S.APPLICATION_LIVE, S.OFFER, S.TENANCY_START)
    ]
    waiting = [p for p in plan if p.outcome == "accept" and p.final_stage == S.FOLLOW_UP_2W]
    chosen = rng.sample(active, k=min(k, len(active)))
    chosen += rng.sample(waiting, k=min(k - len(chosen), len(waiting)))
    for p in chosen:
        p.handover = True

    plan.sort(key=lambda p: (p.received_at, p.key))
    return plan


def _days_ago(rng: random.Random) -> int:
    """Days before the horizon a referral arrived: the service grows, so the newest months are twice as busy
    as the first (density falling linearly from 2 to 1 across HISTORY_DAYS; inverse of its distribution)."""
    u = rng.random()
    return min(HISTORY_DAYS, int(HISTORY_DAYS * (2 - math.sqrt(4 - 3 * u))))


def _aware(day: date, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(minute // 60, minute % 60)))


def _cover_open_stages(plan: list[PlannedReferral], horizon: date) -> None:
    """Make sure each open stage holds a case or two: hold there the most recent case that passed through it
    in the last six weeks (its next step delayed, as happens: evidence awaited, a viewing rearranged)."""
    want = 2 if len(plan) >= 200 else 1
    since = horizon - timedelta(days=45)

    def counts() -> Counter:
        return Counter(
            p.final_stage
            for p in plan
            if p.outcome in ("accept", "decline") or (p.outcome == "unscreened" and p.auto_assign)
        )

    for stage in (
        S.REFERRAL_RECEIVED,
        S.SCREENED,
        S.FIRST_VISIT,
        S.APPLICATION_LIVE,
        S.OFFER,
        S.TENANCY_START,
        S.FOLLOW_UP_2W,
        S.FOLLOW_UP_6M,
    ):
        for _ in range(want):
            have = counts()
            if have[stage] >= want:
                break
            best, best_on = None, since - timedelta(days=1)
            for p in plan:
                if p.outcome not in ("accept", "decline") or not p.steps:
                    continue
                if have[p.final_stage] <= want and p.final_stage != S.CLOSED:
                    continue  # do not empty another stage to fill this one
                if stage == S.REFERRAL_RECEIVED:
                    options = [(-1, p.received_on)]
                else:
                    options = [(i, s.on) for i, s in enumerate(p.steps[:-1]) if s.to_stage == stage]
                for i, on in options:
                    if on > best_on:
                        best, best_on = (p, i), on
            if best is None:
                break
            p, i = best
            p.steps = p.steps[: i + 1]
            if not p.steps:
                p.outcome = "unscreened"


def plan_signature(plan: list[PlannedReferral]) -> list[tuple]:
    """What the database should hold for a plan: one row per referral, in the order received."""
    return [
        (
            p.answers["first_name"],
            p.answers["last_name"],
            p.answers["nhs_number"],
            p.answers["postcode"],
            p.final_stage,
            p.cohort if p.outcome == "accept" else "",
            p.closing_reason,
        )
        for p in plan
    ]


def database_signature() -> list[tuple]:
    """The same rows read back from the database."""
    rows = []
    referrals = Referral.objects.select_related("person", "originated_case").order_by("received_at", "id")
    for r in referrals:
        case = getattr(r, "originated_case", None)
        if r.linked_to_open_case or case is None:
            stage, cohort, reason = "linked", "", ""
        else:
            stage, cohort, reason = (
                case.stage,
                case.cohort if case.decision == "accepted" else "",
                case.closing_reason,
            )
        rows.append(
            (
                r.person.first_name,
                r.person.last_name,
                r.person.nhs_number,
                r.person.postcode,
                stage,
                cohort,
                reason,
            )
        )
    return rows


# ------------------------------------------------------------------------------------------------------------
# Writing to the database
# ------------------------------------------------------------------------------------------------------------


def _org_code(code: str, area: Area) -> str:
    return area.service_organisation if code == SERVICE else code


def create_organisations(area: Area) -> dict[str, Organisation]:
    orgs = {}
    for spec in ORGANISATIONS:
        org = Organisation.objects.create(code=_org_code(spec.code, area), name=spec.name, kind=spec.kind)
        Team.objects.bulk_create([Team(organisation=org, name=name) for name in spec.teams])
        orgs[spec.code] = org
    return orgs


def create_users(orgs: dict[str, Organisation]) -> dict[str, User]:
    # One hash for the shared demo password (PBKDF2 is slow on purpose; 14 hashes would take seconds).
    password_hash = make_password(DEMO_PASSWORD)
    teams = {(t.organisation_id, t.name): t for t in Team.objects.all()}
    users = {}
    for spec in USERS:
        org = orgs[spec.org]
        user = User(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=spec.email,
            role=spec.role,
            organisation=org,
            team=teams[(org.pk, spec.team)],
            job_title=spec.job_title,
            phone=spec.phone,
            is_staff=spec.role == Role.ADMINISTRATOR,
            is_superuser=spec.role == Role.ADMINISTRATOR,
            password=password_hash,
        )
        user.save()
        users[spec.username] = user
    return users


def create_contacts(orgs: dict[str, Organisation]) -> None:
    Contact.objects.bulk_create(
        [
            Contact(
                organisation=orgs[org],
                team_name=team,
                person_name=person,
                what_for=what_for,
                phone=phone,
                email=f"{local}@example.org",
                notes=notes,
            )
            for org, team, person, what_for, phone, local, notes in CONTACTS
        ]
    )


@dataclass
class _Runner:
    """Applies a plan through the services, each step on the clock of the moment it was planned for."""

    users: dict[str, User]
    orgs: dict[str, Organisation]
    area: Area

    def _actor(self, name: str, case: Case) -> User:
        if name == ASSIGNED:
            if case.assigned_to_id:
                return self.users_by_id[case.assigned_to_id]
            return self.users["project-manager"]
        return self.users[name]

    def run(self, plan: list[PlannedReferral]) -> None:
        self.users_by_id = {u.pk: u for u in self.users.values()}
        referrals: dict[int, Referral] = {}
        cases: dict[int, Case] = {}
        queue = [(p.received_at, p.key, -1, p, None) for p in plan]
        queue += [(s.at, p.key, i, p, s) for p in plan for i, s in enumerate(p.steps)]
        queue.sort(key=lambda item: (item[0], item[1], item[2]))
        for at, _key, _i, p, step in queue:
            with _clock(at):
                if step is None:
                    referral = referral_submit(
                        answers={k: v for k, v in p.answers.items() if not k.startswith("_")},
                        by=self.users[p.keyed_by],
                        referrer_organisation=self.orgs[p.referrer_org],
                        received_via=p.received_via,
                        received_at=at,
                        auto_assign=p.auto_assign,
                    )
                    if p.outcome == "linked" and not referral.linked_to_open_case:
                        raise DemoDataError(f"referral {p.key} should have been linked to an open case")
                    referrals[p.key] = referral
                    if referral.case_id is not None and not referral.linked_to_open_case:
                        cases[p.key] = referral.case
                else:
                    self._step(cases[p.key], referrals[p.key], p, step)

        # Today (on the real clock): cover for absence, by the project manager.
        hhcs = [self.users[name] for name in HHCS]
        for p in plan:
            if not p.handover:
                continue
            case = cases[p.key]
            current = self.users_by_id.get(case.assigned_to_id)
            if current is None:
                continue
            target = hhcs[(hhcs.index(current) + 1) % len(hhcs)]
            next_step = NEXT_ACTION_TEXT[Stage(case.stage)].lower()
            case_assign(
                case=case,
                to_user=target,
                by=self.users["project-manager"],
                note=f"Handing over while {current.first_name} is on leave for two weeks. Next: {next_step}.",
            )

    def _step(self, case: Case, referral: Referral, p: PlannedReferral, step: Step) -> None:
        by = self._actor(step.by, case)
        if step.kind == "note":
            case_note_add(case=case, by=by, text=step.note)
        elif step.kind in ("accept", "decline"):
            # The screening page's evaluation, on the referral as saved.
            results = evaluate_all(self.area, referral_facts(referral))
            passed = {r.code for r in results if r.passed}
            stored = [r.as_dict() for r in results]
            if step.kind == "accept":
                if step.cohort not in passed:
                    raise DemoDataError(f"referral {p.key}: screening does not pass {step.cohort}")
                case_screen_accept(
                    case=case, by=by, cohort=step.cohort, results=stored, on=step.on, note=step.note
                )
            else:
                if p.cohort == NOT_FIT and passed:
                    raise DemoDataError(f"referral {p.key}: meant to fit no cohort but passes {passed}")
                case_screen_decline(
                    case=case,
                    by=by,
                    reason=step.note,
                    onward_referral=step.onward,
                    results=stored,
                    on=step.on,
                )
        else:
            case_move(
                case=case,
                to_stage=step.to_stage,
                by=by,
                on=step.on,
                note=step.note,
                closing_reason=step.closing_reason,
            )


@contextmanager
def _clock(at: datetime):
    """Run the services as if it were ``at``: they stamp "recorded at" (and auto_now fields) with
    ``timezone.now()``, so a step recorded on its day gets that day's time, as it would have live, and no
    append-only row is ever rewritten. Each call moves the clock on a microsecond so rows keep their order.
    Single-threaded use only (the seeding command)."""
    real_now = timezone.now
    ticks = itertools.count()
    timezone.now = lambda: at + timedelta(microseconds=next(ticks))
    try:
        yield
    finally:
        timezone.now = real_now


@dataclass
class Result:
    created: bool
    plan: list[PlannedReferral]


def database_is_empty() -> bool:
    return not Organisation.objects.exists()


def generate(
    *, seed: int = DEFAULT_SEED, referrals: int = DEFAULT_REFERRALS, today: date | None = None
) -> Result:
    """Create the whole demo in one transaction. Refuses a database that already has organisations."""
    area = get_area()
    today = today or timezone.localdate()
    plan = build_plan(seed, referrals, today, area)
    # The demo's history is not news: its referrers get no emails (live changes after seeding do).
    with transaction.atomic(), notifications_suppressed():
        if not database_is_empty():
            raise DemoDataError(
                "The database already has organisations: demo data goes into an empty database."
            )
        orgs = create_organisations(area)
        users = create_users(orgs)
        create_contacts(orgs)
        _Runner(users=users, orgs=orgs, area=area).run(plan)
        seed_lettings(seed=seed, today=today, area=area, orgs=orgs, users=users)
        seed_support(seed=seed, today=today, area=area, service=orgs[SERVICE])
        seed_surveys(seed=seed, today=today)
        seed_hospital_activity(seed=seed, today=today)
        seed_evaluation(seed=seed, today=today, service=orgs[SERVICE])
        seed_api_clients(orgs=orgs, by=users["administrator"])
    return Result(created=True, plan=plan)


# ------------------------------------------------------------------------------------------------------------
# What the command prints
# ------------------------------------------------------------------------------------------------------------


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, role, organisation, password) for the demo sign-ins present in this database."""
    found = {
        u.username: u for u in User.objects.filter(username__in=USERS_BY_NAME).select_related("organisation")
    }
    rows = []
    for spec in USERS:
        user = found.get(spec.username)
        if user is not None:
            org = user.organisation.name if user.organisation else ""
            rows.append((user.username, Role(user.role).label if user.role else "", org, DEMO_PASSWORD))
    return rows


def summary_counts() -> dict:
    cases = Case.objects.all()
    by_stage = Counter(cases.values_list("stage", flat=True))
    closed = Counter(cases.filter(stage=S.CLOSED).values_list("closing_reason", flat=True))
    rehousing = []
    tenancies = CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE, to_stage=S.TENANCY_START).select_related(
        "case"
    )
    for event in tenancies:
        rehousing.append((event.on - event.case.referred_on).days)
    return {
        "organisations": Organisation.objects.count(),
        "teams": Team.objects.count(),
        "users": User.objects.count(),
        "contacts": Contact.objects.count(),
        "people": Person.objects.count(),
        "referrals": Referral.objects.count(),
        "linked referrals": Referral.objects.filter(linked_to_open_case=True).count(),
        "cases": cases.count(),
        "unassigned open cases": cases.exclude(stage=S.CLOSED).filter(assigned_to=None).count(),
        "by_stage": [(Stage(s).label, by_stage.get(s, 0)) for s in Stage],
        "closed_by_reason": [(ClosingReason(r).label, n) for r, n in sorted(closed.items())],
        "cohorts": Counter(cases.filter(decision=Case.Decision.ACCEPTED).values_list("cohort", flat=True)),
        "rehoused": len(rehousing),
        "average_rehousing_days": round(sum(rehousing) / len(rehousing), 1) if rehousing else None,
    }
