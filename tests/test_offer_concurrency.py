"""Many people pressing "accept" at the same moment, on PostgreSQL, many times over.

Each race starts 50 threads behind a barrier, each with its own database connection, so the requests really
do arrive together. Every round must end with exactly one winner; every loser must get a CaseActionRefused
(the message the user sees), and any other exception fails the test. The database is then checked for one
accepted offer. Rounds: H2H_RACE_ROUNDS (default 20).

- the same offer accepted by 50 lettings officers (one home, one person: a double-click times fifty);
- 50 bidders on one home, each thread offering the home to its own bidder and accepting it;
- one person offered 50 homes, each thread accepting a different one (a person holds one accepted offer);
- the same offer accepted through the web page by 50 signed-in users (the page says why, never a 500).

SQLite has no row locks (it serialises writers), so these run on PostgreSQL only.
"""

import itertools
import os
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.cases.services import CaseActionRefused
from h2h.lettings.models import Application, Bid, Offer, Property, Void
from h2h.lettings.offers import offer_accept, offer_make
from tests.factories import make_user, service_org
from tests.test_offers import bid, make_application, make_void

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 50
ROUNDS = int(os.environ.get("H2H_RACE_ROUNDS") or 20)
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks and truly concurrent connections")


class Racers:
    """THREADS threads, each with its own database connection kept for every round (opening 50 connections a
    round would cost more than the races). run(work) releases them together through a barrier and returns, for
    each, ("won", result), ("refused", message) or ("error", repr)."""

    def __init__(self):
        self.start = threading.Barrier(THREADS + 1, timeout=120)
        self.finish = threading.Barrier(THREADS + 1, timeout=120)
        self.work = None
        self.outcomes: list = [None] * THREADS
        self.threads = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(THREADS)]
        for thread in self.threads:
            thread.start()

    def _loop(self, i):
        try:
            while True:
                self.start.wait()
                if self.work is None:
                    return
                try:
                    self.outcomes[i] = ("won", self.work(i))
                except CaseActionRefused as refusal:
                    self.outcomes[i] = ("refused", str(refusal))
                except BaseException as error:  # noqa: BLE001 - any other exception is what the test looks for
                    self.outcomes[i] = ("error", repr(error))
                self.finish.wait()
        finally:
            connections.close_all()

    def run(self, work) -> list:
        self.work, self.outcomes = work, [None] * THREADS
        self.start.wait()
        self.finish.wait()
        return self.outcomes

    def stop(self):
        self.work = None
        self.start.wait()
        for thread in self.threads:
            thread.join(timeout=60)


@pytest.fixture
def racers():
    pool = Racers()
    yield pool
    pool.stop()


def assert_one_winner(outcomes, round_number):
    errors = [detail for kind, detail in outcomes if kind == "error"]
    assert not errors, f"round {round_number}: unexpected errors {errors[:3]}"
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("won") == 1, f"round {round_number}: {kinds.count('won')} winners"
    assert kinds.count("refused") == THREADS - 1


def general_applications(count: int) -> list[Application]:
    applied = timezone.localdate() - timedelta(days=100)
    rows = []
    for _ in range(count):
        n = next(_n)
        rows.append(Application(reference=f"RACE{n:06d}", applicant_name=f"Racer {n}", date_of_birth=date(1960, 1, 1),
                                band="C", application_date=applied, effective_date=applied,
                                status=Application.Status.LIVE))
    return Application.objects.bulk_create(rows)


def offered_homes(count: int) -> list[Void]:
    n = next(_n)
    homes = Property.objects.bulk_create(
        Property(ref=f"RACE{n:05d}-{i}", landlord=service_org(), address_line_1=f"{i} Race Street", town="Nottingham",
                 postcode="NG7 1AA", property_type=valuesets.PropertyType.FLAT, bedrooms=1, floor=0,
                 weekly_rent=Decimal("90.00"))
        for i in range(count)
    )
    empty = timezone.localdate() - timedelta(days=20)
    return Void.objects.bulk_create(Void(property=home, empty_on=empty, ready_on=empty, status=Void.Status.OFFERED)
                                    for home in homes)


@pytest.fixture
def officers():
    return [make_user(Role.LETTINGS_OFFICER) for _ in range(THREADS)]


def test_it_lets_exactly_one_of_fifty_simultaneous_accepts_of_one_offer_win(officers, racers):
    for round_number in range(ROUNDS):
        home = make_void(Void.Status.ADVERTISED)
        person = make_application()
        bid(home, person, officers[0])
        offer = offer_make(void=home, application=person, by=officers[0], kind=Offer.Kind.SHORTLIST)

        outcomes = racers.run(lambda i: offer_accept(offer=Offer.objects.get(pk=offer.pk), by=officers[i]))

        assert_one_winner(outcomes, round_number)
        assert all(detail == "This offer has already been accepted." for kind, detail in outcomes if kind == "refused")
        assert Offer.objects.filter(void=home, status=Offer.Status.ACCEPTED).count() == 1


def test_it_lets_exactly_one_of_fifty_bidders_make_and_accept_an_offer_of_one_home(officers, racers):
    for round_number in range(ROUNDS):
        home = make_void(Void.Status.ADVERTISED)
        bidders = general_applications(THREADS)
        Bid.objects.bulk_create(Bid(void=home, application=a, placed_by=officers[0]) for a in bidders)

        def make_and_accept(i):
            offer = offer_make(void=home, application=bidders[i], by=officers[i], kind=Offer.Kind.SHORTLIST)
            return offer_accept(offer=offer, by=officers[i])

        outcomes = racers.run(make_and_accept)

        assert_one_winner(outcomes, round_number)
        winner = next(result for kind, result in outcomes if kind == "won")
        assert winner.application_id == bidders[0].pk  # the top of the shortlist (same band and dates: lowest id)
        assert Offer.objects.filter(void=home).count() == 1
        assert Offer.objects.filter(void=home, status=Offer.Status.ACCEPTED).count() == 1


def test_it_lets_one_person_accept_exactly_one_of_fifty_homes_at_once(officers, racers):
    for round_number in range(ROUNDS):
        person = general_applications(1)[0]
        homes = offered_homes(THREADS)
        # Written directly: the services offer a person one home at a time, which is what makes this the
        # database's and the locks' job rather than the checks'.
        offers = Offer.objects.bulk_create(
            Offer(void=home, application=person, kind=Offer.Kind.SHORTLIST, made_by=officers[0]) for home in homes
        )

        outcomes = racers.run(lambda i: offer_accept(offer=Offer.objects.get(pk=offers[i].pk), by=officers[i]))

        assert_one_winner(outcomes, round_number)
        assert all("already accepted another home" in detail for kind, detail in outcomes if kind == "refused")
        assert Offer.objects.filter(application=person, status=Offer.Status.ACCEPTED).count() == 1


def test_it_shows_the_losers_of_an_accept_race_on_the_page_a_clear_message(officers, racers):
    clients = []
    for officer in officers:
        client = Client()
        client.force_login(officer)
        clients.append(client)
    for round_number in range(max(1, ROUNDS // 4)):
        home = make_void(Void.Status.ADVERTISED)
        person = make_application()
        bid(home, person, officers[0])
        offer = offer_make(void=home, application=person, by=officers[0], kind=Offer.Kind.SHORTLIST)
        url = reverse("lettings:offer-accept", args=[offer.pk])

        def post(i):
            response = clients[i].post(url)
            if response.status_code == 302:
                return response
            if response.status_code == 409 and b"already been accepted" in response.content:
                raise CaseActionRefused("shown on the page")
            raise AssertionError(f"status {response.status_code}")

        outcomes = racers.run(post)

        assert_one_winner(outcomes, round_number)
        assert Offer.objects.filter(void=home, status=Offer.Status.ACCEPTED).count() == 1
