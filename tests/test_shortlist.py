"""Shortlists, bids, the lettings cycle and matching help, on hand-made registers.

The shortlist rule (docs/lettings.md, h2h/lettings/rules.py): bidders who do not fit the home are left out
with the reason; the rest are ranked by band, then effective date, then application date, then application id.
Each test writes out the order it expects.
"""

# ruff: noqa: S311, S608 (random registers are test data; SQL text holds table names, values are parameters)

import itertools
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from h2h.accounts.roles import Role
from h2h.area.config import age_on, get_area
from h2h.cases.selectors import add_months
from h2h.cases.stages import Stage
from h2h.lettings.cbl import (
    APPLICATION,
    BID,
    PROPERTY,
    VOID,
    CblActionRefused,
    adverts_closed,
    adverts_open,
    age_threshold,
    bid_place,
    bid_withdraw,
    bidder_fits_sql,
    cycle_advertise,
    fits_property_q,
    home_fits_sql,
    match_score,
    matching_for_application,
    matching_for_void,
    ranked_ahead_sets,
    score_sql,
    shortlist,
)
from h2h.lettings.models import Application, Bid, Hold, Property, Void
from h2h.lettings.rules import fit_problems, rank_key
from tests.factories import make_case, make_org, make_user, service_org

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)
_n = itertools.count(1)


# ------------------------------------------------------------------------------------------------ helpers


def make_home(**fields) -> Property:
    n = next(_n)
    values = {
        "ref": f"P-{n:05d}",
        "landlord": service_org(),
        "address_line_1": f"{n} Test Road",
        "town": "Nottingham",
        "postcode": "NG7 1AA",
        "lettings_area": "Bulwell",
        "property_type": "flat",
        "bedrooms": 1,
        "floor": 0,
        "weekly_rent": Decimal("95.00"),
    }
    values.update(fields)
    return Property.objects.create(**values)


def make_void(
    home: Property | None = None, *, status=Void.Status.ADVERTISED, on: date = ON, **home_fields
) -> Void:
    """An open void; advertised ones opened two days before `on` and close five days after it."""
    advertised = status == Void.Status.ADVERTISED
    return Void.objects.create(
        property=home or make_home(**home_fields),
        empty_on=on - timedelta(days=30),
        ready_on=on - timedelta(days=5),
        status=status,
        advert_opens_on=on - timedelta(days=2) if advertised else None,
        advert_closes_on=on + timedelta(days=5) if advertised else None,
    )


def make_application(
    reference: str | None = None,
    *,
    band="C",
    effective: date = date(2024, 1, 1),
    applied: date | None = None,
    age=40,
    h2h=False,
    status=Application.Status.LIVE,
    **fields,
) -> Application:
    """A live general-needs applicant (or an H2H case's application with h2h=True), one bedroom, no needs."""
    n = next(_n)
    case = make_case(Stage.APPLICATION_LIVE) if h2h else None
    values = {
        "reference": reference or f"{'H2H' if h2h else 'GN'}-{n:05d}",
        "case": case,
        "applicant_name": f"Applicant {n}",
        "date_of_birth": date(ON.year - age, 1, 1),
        "band": band,
        "application_date": applied or effective,
        "effective_date": effective,
        "status": status,
    }
    values.update(fields)
    return Application.objects.create(**values)


def lettings_officer():
    return make_user(Role.LETTINGS_OFFICER)


def bid_for(void: Void, *applications: Application, withdrawn=False) -> list[Bid]:
    by = lettings_officer()
    return [
        Bid.objects.create(void=void, application=a, placed_by=by, withdrawn=withdrawn) for a in applications
    ]


def _sql(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def order(void: Void) -> list[str]:
    return [entry.application.reference for entry in shortlist(void, ON).ranked]


# ------------------------------------------------------------------------------------------ the order


def test_it_ranks_a_higher_band_before_an_earlier_date():
    void = make_void()
    bid_for(
        void,
        make_application("B-2019", band="B", effective=date(2019, 5, 1)),
        make_application("A-2025", band="A", effective=date(2025, 11, 1)),
        make_application("D-2010", band="D", effective=date(2010, 1, 1)),
    )
    assert order(void) == ["A-2025", "B-2019", "D-2010"]


def test_it_ranks_the_earlier_effective_date_first_within_a_band():
    void = make_void()
    bid_for(
        void,
        make_application("C-MAR", effective=date(2024, 3, 1)),
        make_application("C-JAN", effective=date(2024, 1, 1)),
        make_application("C-FEB", effective=date(2024, 2, 1)),
    )
    assert order(void) == ["C-JAN", "C-FEB", "C-MAR"]


def test_it_ranks_equal_effective_dates_by_the_earlier_application_date():
    void = make_void()
    same = date(2024, 6, 1)
    bid_for(
        void,
        make_application("LATE", effective=same, applied=date(2025, 6, 1)),
        make_application("EARLY", effective=same, applied=date(2025, 1, 1)),
    )
    assert order(void) == ["EARLY", "LATE"]


def test_it_ranks_all_else_equal_by_the_lower_id():
    void = make_void()
    first = make_application("ZZ-FIRST", effective=date(2024, 6, 1), applied=date(2024, 6, 1))
    second = make_application("AA-SECOND", effective=date(2024, 6, 1), applied=date(2024, 6, 1))
    assert first.pk < second.pk
    bid_for(void, second, first)
    assert order(void) == ["ZZ-FIRST", "AA-SECOND"]


def test_the_accelerator_moves_an_h2h_application_ahead_of_a_general_applicant_registered_6_months_earlier():
    months = get_area().lettings.accelerator_months
    assert months > 6
    h2h_applied = date(2026, 2, 1)
    general_applied = add_months(h2h_applied, -6)
    void = make_void()
    bid_for(
        void,
        make_application("GENERAL", band="B", effective=general_applied, applied=general_applied),
        make_application(
            "FAST-TRACK", band="B", h2h=True, effective=add_months(h2h_applied, -months), applied=h2h_applied
        ),
    )
    assert order(void) == ["FAST-TRACK", "GENERAL"]


def test_a_hand_made_register_comes_out_in_the_documented_order():
    """The worked example in docs/lettings.md."""
    void = make_void(bedrooms=2)
    register = [
        # reference, band, effective date, application date
        ("R1", "C", date(2023, 1, 9), date(2023, 1, 9)),
        ("R2", "A", date(2025, 7, 1), date(2026, 7, 1)),
        ("R3", "C", date(2023, 1, 9), date(2022, 12, 1)),
        ("R4", "B", date(2020, 2, 2), date(2020, 2, 2)),
        ("R5", "A", date(2025, 3, 1), date(2025, 3, 1)),
        ("R6", "D", date(2001, 1, 1), date(2001, 1, 1)),
        ("R7", "C", date(2021, 8, 8), date(2021, 8, 8)),
    ]
    bid_for(
        void,
        *(
            make_application(
                ref, band=band, effective=eff, applied=applied, bedrooms_needed=2, h2h=ref == "R2"
            )  # R2: an H2H application, accelerated 12 months
            for ref, band, eff, applied in register
        ),
    )
    listing = shortlist(void, ON)
    assert [(e.position, e.application.reference, e.band) for e in listing.ranked] == [
        (1, "R5", "A"),
        (2, "R2", "A"),
        (3, "R4", "B"),
        (4, "R7", "C"),
        (5, "R3", "C"),
        (6, "R1", "C"),
        (7, "R6", "D"),
    ]
    assert listing.ranked[0].effective_date == date(2025, 3, 1)


# ------------------------------------------------------------------------------------------ who is left out


@pytest.mark.parametrize(
    ("home", "applicant", "reason"),
    [
        ({"min_age": 60}, {"age": 57}, "Age restriction 60+: the applicant is 57"),
        ({"bedrooms": 1}, {"bedrooms_needed": 2}, "Too few bedrooms: needs 2, the home has 1"),
        ({"bedrooms": 3}, {"bedrooms_needed": 1}, "Too many bedrooms: needs 1, the home has 3"),
        (
            {"wheelchair_standard": False},
            {"needs_wheelchair_standard": True},
            "Needs a wheelchair-standard home",
        ),
        (
            {"floor": 2, "has_lift": False},
            {"needs_step_free": True},
            "Needs the ground floor or a lift: the home is on floor 2 with no lift",
        ),
        ({"features": []}, {"needs_features": ["concrete_floor"]}, "Needs concrete floor"),
        (
            {"level_access_shower": False},
            {"needs_level_access_shower": True},
            "Needs a level-access shower",
        ),
    ],
)
def test_it_leaves_out_a_bidder_who_does_not_fit_with_the_reason(home, applicant, reason):
    void = make_void(**home)
    fits = make_application("FITS", age=70, bedrooms_needed=void.property.bedrooms)
    misfit = make_application("MISFIT", **{"age": 70, "bedrooms_needed": void.property.bedrooms, **applicant})
    bid_for(void, misfit, fits)
    listing = shortlist(void, ON)
    assert [e.application.reference for e in listing.ranked] == ["FITS"]
    assert [(a.reference, reasons) for a, reasons in listing.excluded] == [("MISFIT", [reason])]


def test_it_gives_every_reason_a_bidder_fails_on():
    void = make_void(min_age=60, bedrooms=1, floor=3)
    bid_for(void, make_application("MANY", age=50, bedrooms_needed=2, needs_step_free=True))
    [(_, reasons)] = shortlist(void, ON).excluded
    assert reasons == [
        "Age restriction 60+: the applicant is 50",
        "Too few bedrooms: needs 2, the home has 1",
        "Needs the ground floor or a lift: the home is on floor 3 with no lift",
    ]


def test_it_counts_age_on_the_day_of_the_shortlist():
    void = make_void(min_age=60)
    bid_for(
        void,
        make_application("SIXTY-TOMORROW", date_of_birth=date(1966, 3, 3)),
        make_application("SIXTY-TODAY", date_of_birth=date(1966, 3, 2)),
    )
    listing = shortlist(void, ON)
    assert [e.application.reference for e in listing.ranked] == ["SIXTY-TODAY"]
    assert listing.excluded[0][1] == ["Age restriction 60+: the applicant is 59"]


def test_it_leaves_out_withdrawn_bids_and_applications_no_longer_live():
    void = make_void()
    bid_for(void, make_application("ACTIVE"))
    bid_for(void, make_application("WITHDRAWN"), withdrawn=True)
    bid_for(void, make_application("HOUSED", status=Application.Status.HOUSED))
    listing = shortlist(void, ON)
    assert [e.application.reference for e in listing.ranked] == ["ACTIVE"]
    assert [(a.reference, r) for a, r in listing.excluded] == [
        ("HOUSED", ["The application is housed, not live"])
    ]


def test_a_shortlist_is_read_in_one_query(django_assert_num_queries):
    void = make_void()
    bid_for(void, *(make_application(f"Q{n}", h2h=n % 2 == 0) for n in range(6)))
    void = Void.objects.select_related("property").get(pk=void.pk)
    with django_assert_num_queries(1):
        listing = shortlist(void, ON, with_names=True)
        names = [e.application.case.person.full_name for e in listing.ranked if e.application.case_id]
    assert len(names) == 3


# ------------------------------------------------------------------------------------------------- bids


def test_it_takes_bids_only_while_the_advert_is_open():
    officer = lettings_officer()
    application = make_application("BIDDER")
    ready = make_void(status=Void.Status.READY)
    with pytest.raises(CblActionRefused, match="not advertised"):
        bid_place(void=ready, application=application, by=officer, on=ON)
    advertised = make_void()
    with pytest.raises(CblActionRefused, match="open on"):
        bid_place(
            void=advertised, application=application, by=officer, on=advertised.advert_opens_on - timedelta(1)
        )
    with pytest.raises(CblActionRefused, match="closed on"):
        bid_place(
            void=advertised,
            application=application,
            by=officer,
            on=advertised.advert_closes_on + timedelta(1),
        )
    assert not Bid.objects.exists()
    bid = bid_place(void=advertised, application=application, by=officer, on=advertised.advert_closes_on)
    assert bid.placed_by == officer and not bid.withdrawn


def test_it_refuses_a_duplicate_bid_with_a_message():
    officer = lettings_officer()
    void, application = make_void(), make_application("GN-DUP")
    bid_place(void=void, application=application, by=officer, on=ON)
    with pytest.raises(CblActionRefused, match=r"GN-DUP already has a bid for P-\d+ \(placed "):
        bid_place(void=void, application=application, by=officer, on=ON)
    assert Bid.objects.count() == 1


def test_a_withdrawn_bid_leaves_the_shortlist_and_can_be_placed_again():
    officer = lettings_officer()
    void, application = make_void(), make_application("GN-BACK")
    bid = bid_place(void=void, application=application, by=officer, on=ON)
    bid_withdraw(bid=bid, by=officer)
    assert shortlist(void, ON).ranked == []
    with pytest.raises(CblActionRefused, match="already withdrawn"):
        bid_withdraw(bid=bid, by=officer)
    again = bid_place(void=void, application=application, by=officer, on=ON)
    assert again.pk == bid.pk and order(void) == ["GN-BACK"]


def test_only_live_applications_can_bid():
    with pytest.raises(CblActionRefused, match="GN-WAIT cannot bid: the application is waiting for sign-off"):
        bid_place(
            void=make_void(),
            application=make_application("GN-WAIT", status=Application.Status.SUBMITTED),
            by=lettings_officer(),
            on=ON,
        )


def test_h2h_bids_are_placed_by_the_service_and_general_bids_by_lettings_officers():
    void = make_void()
    h2h, general = make_application(h2h=True), make_application()
    hhc, manager = make_user(Role.HHC), make_user(Role.PROJECT_MANAGER)
    other_hhc = make_user(Role.HHC, organisation=make_org("OTHER", kind="housing_provider"))
    for user, application in [
        (lettings_officer(), h2h),
        (make_user(Role.HOUSING_MANAGER), h2h),
        (other_hhc, h2h),
        (hhc, general),
        (make_user(Role.LETTINGS_OFFICER, organisation=other_hhc.organisation), general),
    ]:
        with pytest.raises(CblActionRefused, match="placed by"):
            bid_place(void=void, application=application, by=user, on=ON)
    bid_place(void=void, application=h2h, by=hhc, on=ON)
    bid_withdraw(bid=Bid.objects.get(application=h2h), by=manager)
    bid_place(void=void, application=general, by=lettings_officer(), on=ON)


# -------------------------------------------------------------------------------------------- the cycle


def test_the_cycle_advertises_ready_voids_that_are_not_held_once():
    officer = lettings_officer()
    ready = make_void(status=Void.Status.READY)
    requested = make_void(status=Void.Status.READY)
    Hold.objects.create(
        void=requested,
        application=make_application(h2h=True),
        reason="Near family",
        requested_by=make_user(Role.HHC),
    )
    repairs = make_void(status=Void.Status.NOT_READY)
    result = cycle_advertise(on=ON, by=officer)
    assert result.advertised == 1
    ready.refresh_from_db()
    assert ready.status == Void.Status.ADVERTISED
    assert ready.advert_opens_on == ON
    assert ready.advert_closes_on == ON + timedelta(days=get_area().lettings.cycle_days)
    for untouched in (requested, repairs):
        untouched.refresh_from_db()
        assert untouched.advert_opens_on is None
    assert cycle_advertise(on=ON, by=officer).advertised == 0
    assert list(adverts_open(ON)) == [ready]
    closes = ready.advert_closes_on
    assert list(adverts_closed(closes)) == [] and list(adverts_closed(closes + timedelta(days=1))) == [ready]


def test_only_the_services_lettings_officers_run_the_cycle():
    make_void(status=Void.Status.READY)
    for user in (make_user(Role.HHC), make_user(Role.LETTINGS_OFFICER, organisation=make_org("PARTNER"))):
        with pytest.raises(CblActionRefused):
            cycle_advertise(on=ON, by=user)
    assert not Void.objects.filter(status=Void.Status.ADVERTISED).exists()


# ---------------------------------------------------------------- the SQL filters agree with fit_problems


def _random_home(rng: random.Random) -> Property:
    floor = rng.choice((0, 0, 1, 2, 5))
    return make_home(
        bedrooms=rng.randint(1, 4),
        floor=floor,
        has_lift=floor > 0 and rng.random() < 0.4,
        wheelchair_standard=rng.random() < 0.3,
        level_access_shower=rng.random() < 0.4,
        features=rng.sample(["concrete_floor", "hoist_track", "wide_doors"], rng.randint(0, 2)),
        min_age=rng.choice((None, None, 55, 60)),
    )


def _random_application(rng: random.Random) -> Application:
    # Birthdays within a day of the 55th and 60th on ON, to test the edges of the age rule.
    edge = rng.choice((55, 60))
    born = date(ON.year - edge, ON.month, ON.day) + timedelta(days=rng.choice((-1, 0, 1)))
    if rng.random() < 0.4:
        born = date(rng.randint(1935, 2000), rng.randint(1, 12), rng.randint(1, 28))
    return make_application(
        band=rng.choice("ABCDX"),
        effective=date(2024, 1, rng.randint(1, 3)),
        applied=date(2024, 1, rng.randint(1, 2)),
        date_of_birth=born,
        bedrooms_needed=rng.randint(1, 3),
        needs_step_free=rng.random() < 0.4,
        needs_wheelchair_standard=rng.random() < 0.2,
        needs_level_access_shower=rng.random() < 0.3,
        needs_features=rng.sample(["concrete_floor", "hoist_track"], rng.choice((0, 0, 0, 1, 2))),
    )


def test_the_sql_filters_agree_with_fit_problems_on_random_pairs():
    rng = random.Random(20260302)
    homes = [_random_home(rng) for _ in range(15)]
    applications = [_random_application(rng) for _ in range(15)]
    expected = {(a.pk, h.pk) for a in applications for h in homes if not fit_problems(a, h, ON)}
    assert 20 < len(expected) < 200  # both answers are well represented among the 225 pairs
    by_home = {
        (a, h.pk)
        for h in homes
        for a in Application.objects.filter(fits_property_q(h, ON)).values_list("pk", flat=True)
    }
    by_application = set()
    for a in applications:
        fits, params = home_fits_sql(a, ON)
        by_application |= {(a.pk, h) for (h,) in _sql(f"SELECT p.id FROM {PROPERTY} p WHERE {fits}", params)}
    assert by_home == expected
    assert by_application == expected
    voids = [make_void(home) for home in homes]
    bid_for(voids[0], *applications)  # bids of every application on every home
    by = lettings_officer()
    Bid.objects.bulk_create(Bid(void=v, application=a, placed_by=by) for v in voids[1:] for a in applications)
    fits, params = bidder_fits_sql(ON, {h.min_age for h in homes if h.min_age is not None})
    by_bid = set(
        _sql(
            f"SELECT a.id, p.id FROM {BID} b JOIN {APPLICATION} a ON a.id = b.application_id "
            f"JOIN {VOID} v ON v.id = b.void_id JOIN {PROPERTY} p ON p.id = v.property_id WHERE {fits}",
            params,
        )
    )
    assert by_bid == expected


@pytest.mark.parametrize("day", [date(2024, 2, 28), date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1)])
def test_the_age_threshold_agrees_with_age_on_around_birthdays_and_29_february(day):
    for born in (date(1964, 2, 29), date(1964, 2, 28), date(1964, 3, 1), date(1969, 2, 28), date(1969, 3, 1)):
        for min_age in (55, 60):
            assert (born <= age_threshold(day, min_age)) == (age_on(born, day) >= min_age)


def test_the_sets_ranked_ahead_agree_with_rank_key_on_random_applications():
    rng = random.Random(7)
    area = get_area()
    applications = [_random_application(rng) for _ in range(40)]
    for application in applications:
        expected = {a.pk for a in applications if rank_key(a, area) < rank_key(application, area)}
        in_sets = [
            pk for ids in ranked_ahead_sets(application, area) for pk in ids.values_list("pk", flat=True)
        ]
        assert sorted(in_sets) == sorted(expected)  # the sets do not overlap


# ------------------------------------------------------------------------------------------------ matching


def test_matching_ranks_preferred_area_and_type_first_and_gives_the_shortlist_place():
    me = make_application(
        "ME",
        h2h=True,
        band="B",
        effective=date(2025, 1, 1),
        age=72,
        preferred_areas=["Aspley"],
        preferred_types=["bungalow"],
    )
    best = make_void(lettings_area="Aspley", property_type="bungalow")
    area_only = make_void(lettings_area="Aspley", property_type="flat")
    neither = make_void(lettings_area="Clifton", property_type="flat")
    ready = make_void(status=Void.Status.READY, lettings_area="Clifton", property_type="house", bedrooms=2)
    too_old = make_void(lettings_area="Aspley", property_type="bungalow", bedrooms=1, min_age=75)
    make_void(status=Void.Status.NOT_READY, lettings_area="Aspley", property_type="bungalow")

    ahead = [
        make_application("A1", band="A"),
        make_application("B-EARLIER", band="B", effective=date(2024, 1, 1)),
    ]
    behind = make_application("C1", band="C")
    misfit_ahead = make_application("A-WHEELCHAIR", band="A", needs_wheelchair_standard=True)
    gone = make_application("A-WITHDRAWN", band="A")
    bid_for(best, me, ahead[0], behind)
    bid_for(neither, *ahead, behind, misfit_ahead)
    bid_for(neither, gone, withdrawn=True)
    bid_for(too_old, me)

    result = matching_for_application(me, ON)
    assert [(m.home.void_id, m.score, m.place, m.bid is not None) for m in result.fits] == [
        (best.pk, 4 + 3 + 2, 2, True),
        (area_only.pk, 4 + 2, 1, False),
        (neither.pk, 2, 3, False),
        (ready.pk, 0, None, False),
    ]
    assert result.fits[0].why == ["Preferred area (Aspley)", "Preferred type", "No spare bedroom"]
    assert (result.fit_count, result.unfit_count) == (4, 1)
    assert [(u.home.void_id, u.problems) for u in result.unfit] == [
        (too_old.pk, ["Age restriction 75+: the applicant is 72"])
    ]
    # Every home it has bid on, whatever the page: its place, or why it is left out.
    assert sorted(
        (b.home.void_id, getattr(b, "place", None), getattr(b, "problems", None)) for b in result.bids
    ) == [(best.pk, 2, None), (too_old.pk, None, ["Age restriction 75+: the applicant is 72"])]
    # The place it would take is the place a bid then gets.
    bid_for(neither, me)
    assert [e.application.reference for e in shortlist(neither, ON).ranked].index("ME") + 1 == 3


def test_matching_scores_a_ground_floor_and_extra_adaptations_for_mobility_needs():
    me = make_application(h2h=True, needs_step_free=True, bedrooms_needed=2)
    ground = make_void(bedrooms=2, floor=0, ramp=True, level_access_shower=True)
    lift = make_void(bedrooms=3, floor=4, has_lift=True, adapted=True)
    result = matching_for_application(me, ON)
    assert [(m.home.void_id, m.score, m.why) for m in result.fits] == [
        (
            ground.pk,
            2 + 1 + 1 + 1,
            ["No spare bedroom", "Ground floor", "Also a ramp", "Also a level-access shower"],
        ),
        (lift.pk, 1, ["Also adapted"]),
    ]


def test_matching_pages_through_long_lists_best_first():
    me = make_application(h2h=True, preferred_areas=["Aspley"])
    homes = [
        make_void(lettings_area="Aspley" if n % 3 == 0 else "Clifton", bedrooms=1 + n % 2) for n in range(9)
    ]
    for n in range(3):
        make_void(bedrooms=3 + n)
    pages = [matching_for_application(me, ON, page=n, unfit_page=n, page_size=4) for n in (1, 2, 3, 4)]
    fits = [m for p in pages for m in p.fits]
    assert [p.fit_count for p in pages] == [9] * 4 and [p.unfit_count for p in pages] == [3] * 4
    assert sorted(m.home.void_id for m in fits) == sorted(v.pk for v in homes)
    assert [m.score for m in fits] == sorted((m.score for m in fits), reverse=True)
    assert [len(p.fits) for p in pages] == [4, 4, 1, 0] and [len(p.unfit) for p in pages] == [3, 0, 0, 0]


def test_the_sql_score_orders_homes_as_match_score_does_on_random_pairs():
    rng = random.Random(11)
    areas, types = ["Aspley", "Bulwell", "Clifton"], ["flat", "bungalow", "house"]
    homes = [_random_home(rng) for _ in range(12)]
    for home in homes:
        home.lettings_area, home.property_type = rng.choice(areas + [""]), rng.choice(types)
        home.ramp, home.adapted = rng.random() < 0.4, rng.random() < 0.3
        home.save()
    for _ in range(15):
        application = _random_application(rng)
        application.preferred_areas = rng.sample(areas, rng.randint(0, 2))
        application.preferred_types = rng.sample(types, rng.randint(0, 2))
        score, params = score_sql(application)
        sql = dict(_sql(f"SELECT p.id, {score} FROM {PROPERTY} p", params))
        assert sql == {h.pk: match_score(application, h)[0] for h in homes}


def test_matching_includes_a_void_held_for_the_application_and_no_other_held_void():
    me, other = make_application(h2h=True), make_application(h2h=True)
    mine, theirs = make_void(status=Void.Status.HELD), make_void(status=Void.Status.HELD)
    hhc = make_user(Role.HHC)
    Hold.objects.create(void=mine, application=me, reason="r", requested_by=hhc, status=Hold.Status.APPROVED)
    Hold.objects.create(
        void=theirs, application=other, reason="r", requested_by=hhc, status=Hold.Status.APPROVED
    )
    assert [m.home.void_id for m in matching_for_application(me, ON).fits] == [mine.pk]


def test_matching_takes_a_fixed_number_of_queries(django_assert_num_queries):
    me = make_application(h2h=True, band="B")
    for n in range(8):
        void = make_void(bedrooms=1 + n % 2, min_age=(55, None, None, 60)[n % 4])
        bid_for(void, make_application(band="A"), make_application(band="C"))
        if n % 2:
            bid_for(void, me)
    with django_assert_num_queries(4):
        result = matching_for_application(me, ON)
    assert result.fits and result.unfit and result.bids


def test_matching_for_a_void_lists_the_live_h2h_applications_that_fit_in_shortlist_order():
    void = make_void(bedrooms=1, min_age=60)
    make_application("H-FIRST", h2h=True, band="A", age=70)
    second = make_application("H-SECOND", h2h=True, band="B", age=65)
    make_application("H-TOO-YOUNG", h2h=True, band="A", age=50)
    make_application("H-NOT-LIVE", h2h=True, band="A", age=70, status=Application.Status.SUBMITTED)
    make_application("GN-GENERAL", band="A", age=70)
    bidder = make_application("GN-BIDDER", band="A", effective=date(2020, 1, 1), age=70)
    bid_for(void, bidder, second)
    fits = matching_for_void(void, ON)
    assert [(f.applicant.reference, f.place, f.has_bid) for f in fits] == [
        ("H-FIRST", 2, False),
        ("H-SECOND", 2, True),
    ]
