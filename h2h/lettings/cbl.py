"""Choice-Based Lettings: the weekly advertising cycle, bids, shortlists and matching help.

Who fits which home, and in what order bidders stand, is decided by h2h/lettings/rules.py (fit_problems and
rank_key); the reasons shown are always fit_problems'. On large registers the database does the sifting with
SQL forms of the same rules (fits_property_q, ranked_ahead_sets and the *_sql functions): they pick a page of
a matching list and count the bidders ranked ahead without loading them. tests/test_shortlist.py checks on
random registers that each SQL form agrees with its Python rule. The rules as staff read them are in
docs/lettings.md."""

import bisect
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Func,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.area.config import Area, age_on, get_area
from h2h.area.valuesets import PropertyType
from h2h.cases.models import Case
from h2h.lettings.access import in_service_lettings
from h2h.lettings.models import LIVE_HOLD, LIVE_OFFER, Application, Bid, Hold, Offer, Property, Void
from h2h.lettings.rules import fit_problems, rank_key

H2H_BIDDERS = frozenset({Role.HHC, Role.PROJECT_MANAGER})
OPEN_STATUSES = (Void.Status.READY, Void.Status.ADVERTISED, Void.Status.HELD)

# The application columns fit_problems and rank_key read, plus what a shortlist shows.
RULE_FIELDS = (
    "date_of_birth",
    "bedrooms_needed",
    "needs_step_free",
    "needs_wheelchair_standard",
    "needs_level_access_shower",
    "needs_features",
    "band",
    "effective_date",
    "application_date",
)
APPLICATION_FIELDS = ("reference", "case", "applicant_name", "status", *RULE_FIELDS)


class CblActionRefused(Exception):  # noqa: N818 - named like h2h.cases.services.CaseActionRefused
    """An advertising or bidding step the rules do not allow; the message is shown to the user as it is."""


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"


# ---------------------------------------------------------------------------------------------- the cycle


def is_service_lettings_officer(user: User) -> bool:
    return in_service_lettings(user, {Role.LETTINGS_OFFICER})


def voids_to_advertise() -> QuerySet[Void]:
    """Ready voids that no live hold keeps back for a direct offer."""
    held = Hold.objects.filter(void=OuterRef("pk"), status__in=LIVE_HOLD)
    return Void.objects.filter(status=Void.Status.READY).exclude(Exists(held))


def adverts_open(on: date) -> QuerySet[Void]:
    return Void.objects.filter(
        status=Void.Status.ADVERTISED, advert_opens_on__lte=on, advert_closes_on__gte=on
    )


def adverts_closed(on: date) -> QuerySet[Void]:
    """Adverts whose closing date has passed: closed for bids, waiting for the shortlist to be offered."""
    return Void.objects.filter(status=Void.Status.ADVERTISED, advert_closes_on__lt=on)


def open_for_bids(void: Void, on: date) -> bool:
    """Bids are taken from the opening date to the closing date, both included."""
    return (
        void.status == Void.Status.ADVERTISED
        and void.advert_opens_on is not None
        and void.advert_opens_on <= on <= void.advert_closes_on
    )


@dataclass(frozen=True)
class CycleResult:
    advertised: int  # newly advertised by this run
    open: int  # adverts open for bids on the day, these included
    closed: int  # adverts closed for bids, waiting to be offered


def cycle_advertise(*, on: date, by: User) -> CycleResult:
    """Advertise every ready void that is not held, for one cycle from `on`. A second run advertises nothing
    more."""
    if not is_service_lettings_officer(by):
        raise CblActionRefused("Only a lettings officer of the service can advertise homes.")
    closes = on + timedelta(days=get_area().lettings.cycle_days)
    with transaction.atomic():
        ids = list(voids_to_advertise().select_for_update().values_list("pk", flat=True))
        advertised = Void.objects.filter(pk__in=ids, status=Void.Status.READY).update(
            status=Void.Status.ADVERTISED, advert_opens_on=on, advert_closes_on=closes
        )
    return CycleResult(
        advertised=advertised, open=adverts_open(on).count(), closed=adverts_closed(on).count()
    )


# ---------------------------------------------------------------------------------------------------- bids


def may_bid_for(user: User, application: Application) -> bool:
    """H2H applications are bid for by the case's service (coordinators, project managers); general-needs
    applicants by the service's lettings officers."""
    if not user.is_active:
        return False
    if application.case_id is not None:
        service_id = Case.objects.filter(pk=application.case_id).values_list("service_id", flat=True).first()
        return user.role in H2H_BIDDERS and user.organisation_id == service_id
    return is_service_lettings_officer(user)


def _refuse_unless_may_bid(user: User, application: Application) -> None:
    if may_bid_for(user, application):
        return
    if application.case_id is not None:
        raise CblActionRefused(
            "Bids for an H2H case are placed by a coordinator or project manager of the service."
        )
    raise CblActionRefused("Bids for general-needs applicants are placed by the service's lettings officers.")


def bid_place(*, void: Void, application: Application, by: User, on: date | None = None) -> Bid:
    """Bid for an advertised home on an applicant's behalf while the advert is open. One bid per applicant per
    home (a database constraint): a second is refused with a message; a withdrawn bid can be placed again."""
    on = on or timezone.localdate()
    _refuse_unless_may_bid(by, application)
    with transaction.atomic():
        # The void row is locked so the advert cannot close or be offered while the bid goes in.
        locked = Void.objects.select_for_update().select_related("property").get(pk=void.pk)
        if not open_for_bids(locked, on):
            ref = locked.property.ref
            if locked.status != Void.Status.ADVERTISED:
                raise CblActionRefused(
                    f"{ref} is not advertised for bids: it is {locked.get_status_display().lower()}."
                )
            if on < locked.advert_opens_on:
                raise CblActionRefused(f"Bids for {ref} open on {_day(locked.advert_opens_on)}.")
            raise CblActionRefused(f"Bids for {ref} closed on {_day(locked.advert_closes_on)}.")
        current = Application.objects.only("status", "reference").get(pk=application.pk)
        if current.status != Application.Status.LIVE:
            raise CblActionRefused(
                f"{current.reference} cannot bid: the application is {current.get_status_display().lower()}, "
                "not live."
            )
        existing = Bid.objects.filter(void=locked, application=current).first()
        if existing and not existing.withdrawn:
            raise CblActionRefused(
                f"{current.reference} already has a bid for {locked.property.ref} "
                f"(placed {_day(timezone.localtime(existing.placed_at))})."
            )
        if existing:
            existing.withdrawn, existing.placed_by, existing.placed_at = False, by, timezone.now()
            existing.save(update_fields=["withdrawn", "placed_by", "placed_at"])
            return existing
        try:
            with transaction.atomic():
                return Bid.objects.create(void=locked, application=current, placed_by=by)
        except IntegrityError:
            # Another request placed the same bid between the check above and this insert.
            raise CblActionRefused(
                f"{current.reference} already has a bid for {locked.property.ref}."
            ) from None


def bid_withdraw(*, bid: Bid, by: User) -> Bid:
    """Take a bid off the shortlist. Refused while the applicant holds a live offer of that home: the offer is
    refused or withdrawn instead."""
    _refuse_unless_may_bid(by, bid.application)
    with transaction.atomic():
        locked = Bid.objects.select_for_update().select_related("application").get(pk=bid.pk)
        if locked.withdrawn:
            raise CblActionRefused(f"The bid by {locked.application.reference} was already withdrawn.")
        if Offer.objects.filter(
            void_id=locked.void_id, application_id=locked.application_id, status__in=LIVE_OFFER
        ).exists():
            raise CblActionRefused(
                f"{locked.application.reference} has an offer of this home: "
                "record the refusal or withdraw the offer instead."
            )
        locked.withdrawn = True
        locked.save(update_fields=["withdrawn"])
        return locked


# ----------------------------------------------------------------------------------------------- shortlists


@dataclass(frozen=True)
class Entry:
    application: Application
    position: int
    band: str
    effective_date: date
    bid: Bid


@dataclass(frozen=True)
class Shortlist:
    void: Void
    on: date
    ranked: list[Entry]
    excluded: list[tuple[Application, list[str]]]

    def place_for(self, application) -> int:
        """The application's position if it is on the list, otherwise the position it would take if it bid."""
        return bisect.bisect_left(self._rank_keys, rank_key(application, get_area())) + 1

    @cached_property
    def _rank_keys(self) -> list[tuple]:
        area = get_area()
        return [rank_key(entry.application, area) for entry in self.ranked]


def shortlist(void: Void, on: date | None = None, *, with_names: bool = False) -> Shortlist:
    """The void's shortlist from its active bids: bidders who fit, ranked by rank_key; the others with
    reasons.

    One query. with_names also loads the H2H person's name, for pages shown to service staff."""
    on = on or timezone.localdate()
    area = get_area()
    home = void.property
    fields = ["placed_at", "application", *(f"application__{name}" for name in APPLICATION_FIELDS)]
    bids = Bid.objects.filter(void=void, withdrawn=False).select_related("application")
    if with_names:
        bids = bids.select_related("application__case__person")
        fields += [
            "application__case__service",
            "application__case__person",
            "application__case__person__first_name",
            "application__case__person__last_name",
        ]
    ranked, excluded = [], []
    for bid in bids.only(*fields):
        application = bid.application
        if application.status != Application.Status.LIVE:
            excluded.append(
                (application, [f"The application is {application.get_status_display().lower()}, not live"])
            )
            continue
        problems = fit_problems(application, home, on)
        if problems:
            excluded.append((application, problems))
        else:
            ranked.append(bid)
    ranked.sort(key=lambda b: rank_key(b.application, area))
    entries = [
        Entry(
            application=b.application,
            position=n,
            band=b.application.band,
            effective_date=b.application.effective_date,
            bid=b,
        )
        for n, b in enumerate(ranked, 1)
    ]
    excluded.sort(key=lambda item: item[0].reference)
    return Shortlist(void=void, on=on, ranked=entries, excluded=excluded)


# ------------------------------------------------------------------------- the fit rules as SQL filters


class _Covers(Func):
    """True when the JSON array `has` holds every value of the JSON array `needs` (the features rule)."""

    arity = 2
    output_field = BooleanField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" @> ", **extra_context
        )

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite's JSON1: no value of `needs` is missing from `has`.
        (has, has_params), (needs, needs_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        # Built from compiled expressions; their parameters are passed separately.
        sql = (
            f"NOT EXISTS (SELECT 1 FROM json_each({needs}) "  # noqa: S608
            f"WHERE value NOT IN (SELECT value FROM json_each({has})))"
        )
        return sql, (*needs_params, *has_params)


def _json(values: Iterable[str]) -> Value:
    return Value(sorted(values), output_field=JSONField())


def age_threshold(on: date, min_age: int) -> date:
    """The latest date of birth at which someone is min_age or older on `on` (as age_on counts birthdays)."""
    day = on.day
    while True:
        try:
            return date(on.year - min_age, on.month, day)
        except ValueError:  # 29 February in a year without one
            day -= 1


def fits_property_q(home: Property, on: date, prefix: str = "") -> Q:
    """Applications that fit this home (fit_problems would return nothing), as a filter on Application."""
    p = prefix
    q = Q(**{f"{p}bedrooms_needed__lte": home.bedrooms, f"{p}bedrooms_needed__gte": home.bedrooms - 1})
    if home.min_age is not None:
        q &= Q(**{f"{p}date_of_birth__lte": age_threshold(on, home.min_age)})
    if not home.wheelchair_standard:
        q &= Q(**{f"{p}needs_wheelchair_standard": False})
    if not home.step_free:
        q &= Q(**{f"{p}needs_step_free": False})
    if not home.level_access_shower:
        q &= Q(**{f"{p}needs_level_access_shower": False})
    return q & Q(_Covers(_json(home.features), F(f"{p}needs_features")))


def ranked_ahead_sets(application: Application, area: Area) -> list[QuerySet]:
    """The ids of the live applications ranked ahead of this one, as up to three queries that each read one
    range of the (status, band, effective date, application date, id) index: higher bands; the same band
    with an earlier effective date; the same band and effective date, ahead on the tie-breaks (rank_key's
    order)."""
    live = Application.objects.filter(status=Application.Status.LIVE).order_by().values("pk")
    codes = [band.code for band in area.bands]
    mine = area.band(application.band)
    if mine is None:  # every band the area does not know ranks last, together
        return [live.filter(band__in=codes), live.exclude(band__in=codes).filter(_later_q(application))]
    higher = [b.code for b in area.bands if b.rank < mine.rank]
    effective = application.effective_date
    sets = [
        live.filter(band=mine.code, effective_date__lt=effective),
        live.filter(band=mine.code, effective_date=effective).filter(_tie_break_q(application)),
    ]
    return ([live.filter(band__in=higher)] if higher else []) + sets


def _later_q(application: Application) -> Q:
    return Q(effective_date__lt=application.effective_date) | (
        Q(effective_date=application.effective_date) & _tie_break_q(application)
    )


def _tie_break_q(application: Application) -> Q:
    applied = application.application_date
    return Q(application_date__lt=applied) | Q(application_date=applied, pk__lt=application.pk)


# ------------------------------------------------------------------------------------------ matching help

# How well a home that fits meets an application's wishes; the weights are explained in docs/lettings.md.
SCORE_AREA, SCORE_TYPE, SCORE_EXACT_BEDROOMS, SCORE_GROUND_FLOOR, SCORE_EXTRA = 4, 3, 2, 1, 1


def _score_parts(application: Application) -> list[tuple[int, str, str, object]]:
    """(points, what earned them, home field, the value or values it must have) for each part of the
    score. match_score (Python) and score_sql (the order of a matching list) are both written from
    this list."""
    parts = []
    areas = [area for area in application.preferred_areas if area]
    if areas:
        parts.append((SCORE_AREA, "Preferred area", "lettings_area", areas))
    if application.preferred_types:
        parts.append((SCORE_TYPE, "Preferred type", "property_type", list(application.preferred_types)))
    parts.append((SCORE_EXACT_BEDROOMS, "No spare bedroom", "bedrooms", application.bedrooms_needed))
    if application.needs_step_free or application.needs_wheelchair_standard:
        # A lift can break down; a ground floor cannot. Adaptations beyond the essential ones count too.
        parts.append((SCORE_GROUND_FLOOR, "Ground floor", "floor", 0))
        parts.append((SCORE_EXTRA, "Also a ramp", "ramp", True))
        parts.append((SCORE_EXTRA, "Also adapted", "adapted", True))
        if not application.needs_level_access_shower:
            parts.append((SCORE_EXTRA, "Also a level-access shower", "level_access_shower", True))
    return parts


def match_score(application: Application, home: "Property | OpenHome") -> tuple[int, list[str]]:
    """Points for a home that fits, with what earned them."""
    score, why = 0, []
    for points, label, field, wanted in _score_parts(application):
        value = getattr(home, field)
        if value in wanted if isinstance(wanted, list) else value == wanted:
            score += points
            why.append(f"{label} ({value})" if field == "lettings_area" else label)
    return score, why


class OpenHome(NamedTuple):
    """One open void and its home, with every field fit_problems and match_score read, as a plain tuple."""

    void_id: int
    status: str
    advert_opens_on: date | None
    advert_closes_on: date | None
    ref: str
    address_line_1: str
    lettings_area: str
    property_type: str
    bedrooms: int
    floor: int
    has_lift: bool
    wheelchair_standard: bool
    level_access_shower: bool
    ramp: bool
    adapted: bool
    features: tuple[str, ...]
    min_age: int | None

    @property
    def step_free(self) -> bool:
        return self.floor == 0 or self.has_lift

    @property
    def property_type_label(self) -> str:
        return PropertyType(self.property_type).label if self.property_type in PropertyType.values else ""

    def open_for_bids(self, on: date) -> bool:
        return (
            self.status == Void.Status.ADVERTISED
            and self.advert_opens_on is not None
            and self.advert_opens_on <= on <= self.advert_closes_on
        )


def _features(text: str | None) -> tuple[str, ...]:
    return () if text in ("[]", None) else tuple(json.loads(text))


# ---------------------------------------------------------- the rules as SQL text, for the matching lists
# Matching a case runs a few queries with many conditions on every call; written as SQL text they cost
# nothing to build, where the ORM spent longer building them than the database did running them. Values are
# always parameters; the text holds only table and column names. Each is checked against its Python rule in
# tests/test_shortlist.py. Aliases: v void, p property, a application, b bid.

VOID, PROPERTY, BID, APPLICATION, HOLD = (
    model._meta.db_table for model in (Void, Property, Bid, Application, Hold)
)
HOME_COLUMNS = (
    "v.id, v.status, v.advert_opens_on, v.advert_closes_on, p.ref, p.address_line_1, p.lettings_area, "
    "p.property_type, p.bedrooms, p.floor, p.has_lift, p.wheelchair_standard, p.level_access_shower, p.ramp, "
    "p.adapted, CAST(p.features AS TEXT), p.min_age"
)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _covers_sql(has: str, needs: str) -> str:
    """The JSON array `has` holds every value of the JSON array `needs` (both SQL expressions)."""
    if connection.vendor == "postgresql":
        return f"({has} @> {needs})"
    return (
        f"NOT EXISTS (SELECT 1 FROM json_each({needs}) AS need "  # noqa: S608 - SQL names, no values
        f"WHERE need.value NOT IN (SELECT value FROM json_each({has})))"
    )


def home_fits_sql(application: Application, on: date, p: str = "p") -> tuple[str, list]:
    """fit_problems(application, home, on) is empty, for the property row aliased p."""
    needed = application.bedrooms_needed
    sql = [f"{p}.bedrooms BETWEEN %s AND %s", f"({p}.min_age IS NULL OR {p}.min_age <= %s)"]
    params: list = [needed, needed + 1, age_on(application.date_of_birth, on)]
    if application.needs_wheelchair_standard:
        sql.append(f"{p}.wheelchair_standard")
    if application.needs_step_free:
        sql.append(f"({p}.floor = 0 OR {p}.has_lift)")
    if application.needs_level_access_shower:
        sql.append(f"{p}.level_access_shower")
    if application.needs_features:
        needs = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
        sql.append(_covers_sql(f"{p}.features", needs))
        params.append(json.dumps(sorted(set(application.needs_features))))
    return "(" + " AND ".join(sql) + ")", params


def bidder_fits_sql(on: date, min_ages: Iterable[int], a: str = "a", p: str = "p") -> tuple[str, list]:
    """fit_problems is empty for the application row aliased a and the property row aliased p. The age rule
    is written out for each restriction in min_ages, which must hold every one among the homes in question
    (a home with another would match no bidder)."""
    age, params = [f"{p}.min_age IS NULL"], []
    for min_age in sorted(set(min_ages)):
        age.append(f"({p}.min_age = %s AND {a}.date_of_birth <= %s)")
        params += [min_age, age_threshold(on, min_age).isoformat()]
    sql = [
        f"{a}.bedrooms_needed <= {p}.bedrooms",
        f"{p}.bedrooms <= {a}.bedrooms_needed + 1",
        "(" + " OR ".join(age) + ")",
        f"(NOT {a}.needs_wheelchair_standard OR {p}.wheelchair_standard)",
        f"(NOT {a}.needs_step_free OR {p}.floor = 0 OR {p}.has_lift)",
        f"(NOT {a}.needs_level_access_shower OR {p}.level_access_shower)",
        _covers_sql(f"{p}.features", f"{a}.needs_features"),
    ]
    return "(" + " AND ".join(sql) + ")", params


def score_sql(application: Application, p: str = "p") -> tuple[str, list]:
    """match_score's points, for the property row aliased p (it orders a matching list)."""
    terms, params = [], []
    for points, _, field, wanted in _score_parts(application):
        if isinstance(wanted, list):
            terms.append(f"CASE WHEN {p}.{field} IN ({_marks(wanted)}) THEN {int(points)} ELSE 0 END")
            params += wanted
        else:
            terms.append(f"CASE WHEN {p}.{field} = %s THEN {int(points)} ELSE 0 END")
            params.append(wanted)
    return "(" + (" + ".join(terms) or "0") + ")", params


def open_sql(application: Application, v: str = "v") -> tuple[str, list]:
    """Voids an HHC can still aim at: ready or advertised, and any held for this application."""
    return (
        f"({v}.status IN (%s, %s) OR ({v}.status = %s AND EXISTS (SELECT 1 FROM {HOLD} h "  # noqa: S608
        f"WHERE h.void_id = {v}.id AND h.application_id = %s AND h.status IN (%s, %s))))",
        [Void.Status.READY, Void.Status.ADVERTISED, Void.Status.HELD, application.pk, *LIVE_HOLD],
    )


def _home(row: tuple) -> OpenHome:
    return OpenHome(*row[:15], _features(row[15]), row[16])


class Match(NamedTuple):
    home: OpenHome
    score: int
    why: list[str]
    place: int | None  # on the shortlist if it bid, else the place a bid would take; None if not advertised
    bid: int | None  # the application's active bid on this void


class Unfit(NamedTuple):
    home: OpenHome
    problems: list[str]
    bid: int | None


@dataclass(frozen=True)
class Matching:
    """One page of the homes an application fits (best first) and one of those it does not (with the rules
    that fail), the counts of each, and every open home it has bid on (a Match, or an Unfit when it does not
    fit: then it is left out of that shortlist)."""

    application: Application
    on: date
    fits: list[Match]
    fit_count: int
    unfit: list[Unfit]
    unfit_count: int
    bids: list[Match | Unfit]


# Ten homes to a page: a phone screen shows two or three, and each place costs a look-up of its bidders.
PAGE_SIZE = 10


def matching_for_application(
    application: Application,
    on: date | None = None,
    *,
    page: int = 1,
    unfit_page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Matching:
    """Which open voids the application fits, ranked by match_score, each with its place on the shortlist; and
    which it does not fit, with the rules that fail (from fit_problems).

    The database picks the page of each list, with the SQL forms of the fit rule and the score, so the open
    voids are not all read into Python: four queries, whatever the number of voids (bench/shortlist.py
    times them on 5,000).
    """
    on = on or timezone.localdate()
    fit_rows, unfit_rows, fit_count, unfit_count = _pages(application, on, page, unfit_page, page_size)
    bid_rows = _rows(
        f"SELECT {HOME_COLUMNS}, b.id FROM {BID} b JOIN {VOID} v ON v.id = b.void_id "  # noqa: S608
        f"JOIN {PROPERTY} p ON p.id = v.property_id WHERE b.application_id = %s AND NOT b.withdrawn "
        f"AND v.status IN ({_marks(OPEN_STATUSES)}) "
        "ORDER BY v.advert_closes_on IS NULL, v.advert_closes_on, v.id",
        [application.pk, *OPEN_STATUSES],
    )
    bid_rows = [(_home(row), row[-1]) for row in bid_rows]
    own_bids = {home.void_id: bid for home, bid in bid_rows}

    def judged(home: OpenHome) -> Match | Unfit:
        problems = fit_problems(application, home, on)
        if problems:
            return Unfit(home, problems, own_bids.get(home.void_id))
        return Match(home, *match_score(application, home), None, own_bids.get(home.void_id))

    fits = [judged(home) for home in fit_rows]
    unfit = [judged(home) for home in unfit_rows]
    bids = [judged(home) for home, _ in bid_rows]
    advertised = {
        m.home.void_id: m.home
        for m in fits + bids
        if isinstance(m, Match) and m.home.status == Void.Status.ADVERTISED
    }
    if advertised:
        ahead = _ranked_ahead_counts(application, advertised, on, get_area())
        fits, bids = (
            [m._replace(place=ahead[m.home.void_id] + 1) if m.home.void_id in ahead else m for m in group]
            for group in (fits, bids)
        )
    return Matching(
        application=application,
        on=on,
        fits=fits,
        fit_count=fit_count,
        unfit=unfit,
        unfit_count=unfit_count,
        bids=bids,
    )


def _pages(application: Application, on: date, page: int, unfit_page: int, page_size: int):
    """One page of the open homes that fit (best score first, then soonest closing) and one of those that
    do not (in the order the voids were recorded), with the count of each list."""
    fits, fits_params = home_fits_sql(application, on)
    open_voids, open_params = open_sql(application, "v")
    every_open, every_open_params = open_sql(application, "v2")
    score, score_params = score_sql(application)
    source = f"FROM {VOID} v JOIN {PROPERTY} p ON p.id = v.property_id WHERE {open_voids}"
    fit_rows = _rows(
        f"SELECT {HOME_COLUMNS}, COUNT(*) OVER (), (SELECT COUNT(*) FROM {VOID} v2 WHERE {every_open}) "  # noqa: S608
        f"{source} AND {fits} "
        f"ORDER BY {score} DESC, v.advert_closes_on IS NULL, v.advert_closes_on, v.id LIMIT %s OFFSET %s",
        [*every_open_params, *open_params, *fits_params, *score_params, page_size, (page - 1) * page_size],
    )
    # Without a sort over every void, the database reads them in id order until it has the page.
    unfit_rows = _rows(
        f"SELECT {HOME_COLUMNS} {source} AND NOT {fits} ORDER BY v.id LIMIT %s OFFSET %s",
        [*open_params, *fits_params, page_size, (unfit_page - 1) * page_size],
    )
    if fit_rows:
        fit_count, open_count = fit_rows[0][-2], fit_rows[0][-1]
    else:  # past the end of the list
        [(open_count, fit_count)] = _rows(
            f"SELECT COUNT(*), COUNT(CASE WHEN {fits} THEN 1 END) {source}", [*fits_params, *open_params]
        )
    return [_home(r) for r in fit_rows], [_home(r) for r in unfit_rows], fit_count, open_count - fit_count


def _ranked_ahead_counts(
    application: Application, homes: dict[int, OpenHome], on: date, area: Area
) -> dict[int, int]:
    """For each of these voids (id → home): how many active, live bidders who fit it rank ahead of the
    application.

    One query, counting with a subquery for each void, so that each void's bids are read by its index. Each
    set of live applications ranked ahead (ranked_ahead_sets) is read once from the register's rank index and
    kept as a hashed set (under OR the database cannot turn it into a join repeated for every void); only
    the bidders in it are looked up to check that they fit (bidder_fits_sql)."""
    in_ahead, params = ["b.application_id IS NULL"], []  # never true: it opens the OR
    for ids in ranked_ahead_sets(application, area):
        sql, ids_params = ids.query.sql_with_params()
        in_ahead.append(f"b.application_id IN ({sql})")
        params += ids_params
    fits, fits_params = bidder_fits_sql(on, {h.min_age for h in homes.values() if h.min_age is not None})
    rows = _rows(
        f"SELECT v.id, (SELECT COUNT(*) FROM {BID} b JOIN {APPLICATION} a ON a.id = b.application_id "  # noqa: S608
        f"WHERE b.void_id = v.id AND NOT b.withdrawn AND ({' OR '.join(in_ahead)}) AND {fits}) "
        f"FROM {VOID} v JOIN {PROPERTY} p ON p.id = v.property_id WHERE v.id IN ({_marks(homes)})",
        [*params, *fits_params, *homes],
    )
    return dict(rows)


class Applicant(NamedTuple):
    """A live H2H application as matching_for_void reads it, as a plain tuple: the fields fit_problems and
    rank_key read, and what a void's page shows."""

    pk: int
    reference: str
    case_id: int
    service_id: int
    first_name: str
    last_name: str
    band: str
    effective_date: date
    application_date: date
    date_of_birth: date
    bedrooms_needed: int
    needs_step_free: bool
    needs_wheelchair_standard: bool
    needs_level_access_shower: bool
    needs_features: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CaseFit(NamedTuple):
    applicant: Applicant
    place: int  # on the shortlist if it bid, else the place it would take
    has_bid: bool


def matching_for_void(
    void: Void, on: date | None = None, *, listing: Shortlist | None = None
) -> list[CaseFit]:
    """The live H2H applications that fit the void, in shortlist order, each with its (would-be) place."""
    on = on or timezone.localdate()
    area = get_area()
    home = void.property
    listing = listing or shortlist(void, on)
    rows = (
        Application.objects.filter(status=Application.Status.LIVE, case__isnull=False)
        .filter(fits_property_q(home, on))
        .annotate(features_text=Cast("needs_features", TextField()))
        .values_list(
            "pk",
            "reference",
            "case_id",
            "case__service_id",
            "case__person__first_name",
            "case__person__last_name",
            "band",
            "effective_date",
            "application_date",
            "date_of_birth",
            "bedrooms_needed",
            "needs_step_free",
            "needs_wheelchair_standard",
            "needs_level_access_shower",
            "features_text",
        )
    )
    # The filter above only narrows; fit_problems has the last word.
    candidates = (Applicant(*row[:-1], _features(row[-1])) for row in rows)
    fitting = sorted(
        (a for a in candidates if not fit_problems(a, home, on)), key=lambda a: rank_key(a, area)
    )
    bidders = {entry.application.pk for entry in listing.ranked}
    return [CaseFit(a, listing.place_for(a), a.pk in bidders) for a in fitting]
