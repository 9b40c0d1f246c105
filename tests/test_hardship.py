"""The hardship fund: requests, managers' decisions against the year's budget (with the recorded override),
payment, the ledgers in exact pounds and pence, and who may see the pages."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.cases.stages import Stage
from h2h.hardship.models import Budget, SpendRequest, financial_year, financial_year_label
from h2h.hardship.selectors import budget_position, case_ledger, year_ledger
from h2h.hardship.services import (
    SpendActionRefused,
    spend_approve,
    spend_mark_paid,
    spend_refuse,
    spend_request,
)
from h2h.hardship.templatetags.hardship_money import pounds
from tests.factories import make_case, make_org, make_user, service_org

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# 1 June 2026 is in financial year 2026/27.
JUNE = datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)
YEAR = 2026


@pytest.fixture
def hhc():
    return make_user(Role.HHC)


@pytest.fixture
def manager():
    return make_user(Role.HOUSING_MANAGER)


@pytest.fixture
def pm():
    return make_user(Role.PROJECT_MANAGER)


@pytest.fixture
def case(hhc):
    return make_case(Stage.TENANCY_START, assigned_to=hhc)


def set_budget(amount: str, year: int = YEAR) -> Budget:
    return Budget.objects.create(service=service_org(), year=year, amount=Decimal(amount))


def ask(case, by, amount: str, what="Carpets") -> SpendRequest:
    return spend_request(case=case, what=what, supplier="Carpet Co", amount=Decimal(amount), by=by,
                         requested_at=JUNE)


# ----------------------------------------------------------------------------------------------- rules


@pytest.mark.parametrize(("day", "year"), [
    (date(2026, 4, 1), 2026), (date(2027, 3, 31), 2026), (date(2026, 3, 31), 2025), (date(2026, 12, 25), 2026),
])
def test_financial_year_is_named_by_its_start(day, year):
    assert financial_year(day) == year


def test_financial_year_label():
    assert financial_year_label(2026) == "2026/27"
    assert financial_year_label(2099) == "2099/00"


def test_money_is_shown_with_the_pound_sign_and_thousands_separators():
    assert pounds(Decimal("1234567.5")) == "£1,234,567.50"
    assert pounds(Decimal("0")) == "£0.00"
    assert pounds(Decimal("-5")) == "-£5.00"


def test_a_request_is_charged_to_the_year_it_is_asked_in(case, hhc):
    spend = spend_request(case=case, what="Cooker", supplier="Shop", amount=Decimal("249.99"), by=hhc,
                          requested_at=datetime(2027, 3, 31, 23, 30, tzinfo=LONDON))
    assert spend.year == 2026
    assert spend.status == SpendRequest.Status.REQUESTED
    assert spend.amount == Decimal("249.99")


@pytest.mark.parametrize("amount", ["0", "-1.00", "10.001"])
def test_it_refuses_amounts_that_are_not_positive_pounds_and_pence(case, hhc, amount):
    with pytest.raises(SpendActionRefused):
        ask(case, hhc, amount)


def test_it_refuses_a_float_amount(case, hhc):
    with pytest.raises(SpendActionRefused):
        spend_request(case=case, what="Bed", supplier="Shop", amount=33.33, by=hhc, requested_at=JUNE)


def test_a_referrer_or_admin_officer_cannot_request(case):
    for role in (Role.REFERRER, Role.ADMIN_OFFICER, Role.HOUSING_MANAGER):
        with pytest.raises(SpendActionRefused):
            ask(case, make_user(role), "10.00")


def test_no_spend_on_a_closed_case(hhc):
    closed = make_case(Stage.CLOSED, assigned_to=hhc)
    with pytest.raises(SpendActionRefused, match="closed"):
        ask(closed, hhc, "10.00")


def test_approval_within_budget_is_allowed(case, hhc, manager):
    set_budget("500.00")
    spend = spend_approve(spend=ask(case, hhc, "499.99"), by=manager)
    assert spend.status == SpendRequest.Status.APPROVED
    assert spend.decided_by == manager and spend.decided_at is not None
    assert spend.over_budget_override is False and spend.override_reason == ""


def test_approval_exactly_up_to_the_budget_is_allowed(case, hhc, manager):
    set_budget("100.00")
    spend_approve(spend=ask(case, hhc, "60.00"), by=manager)
    assert spend_approve(spend=ask(case, hhc, "40.00"), by=manager).over_budget_override is False
    assert budget_position(service_org(), YEAR).remaining == Decimal("0.00")


def test_approval_over_budget_is_refused_without_an_override(case, hhc, manager):
    set_budget("100.00")
    spend_approve(spend=ask(case, hhc, "80.00"), by=manager)
    second = ask(case, hhc, "20.01")
    with pytest.raises(SpendActionRefused, match=r"£100\.01, over the 2026/27 budget of £100\.00"):
        spend_approve(spend=second, by=manager)
    second.refresh_from_db()
    assert second.status == SpendRequest.Status.REQUESTED


def test_an_override_needs_a_reason(case, hhc, manager):
    set_budget("100.00")
    with pytest.raises(SpendActionRefused, match="reason"):
        spend_approve(spend=ask(case, hhc, "150.00"), by=manager, override=True, override_reason="  ")


def test_approval_over_budget_with_an_override_is_recorded(case, hhc, manager):
    set_budget("100.00")
    spend = spend_approve(spend=ask(case, hhc, "150.00"), by=manager, override=True,
                          override_reason="Discharge tomorrow; no carpets means no move")
    spend.refresh_from_db()
    assert spend.status == SpendRequest.Status.APPROVED
    assert spend.over_budget_override is True
    assert spend.override_reason == "Discharge tomorrow; no carpets means no move"
    position = budget_position(service_org(), YEAR)
    assert position.over_budget and position.remaining == Decimal("-50.00")
    assert position.percent_committed == Decimal("150.0")


def test_an_override_ticked_within_budget_is_not_recorded_as_one(case, hhc, manager):
    set_budget("100.00")
    spend = spend_approve(spend=ask(case, hhc, "10.00"), by=manager, override=True, override_reason="Just in case")
    assert spend.over_budget_override is False and spend.override_reason == ""


def test_without_a_budget_every_approval_needs_an_override(case, hhc, manager):
    with pytest.raises(SpendActionRefused, match="budget of £0.00"):
        spend_approve(spend=ask(case, hhc, "1.00"), by=manager)


def test_another_years_spend_does_not_count(case, hhc, manager):
    set_budget("100.00")
    set_budget("100.00", year=YEAR - 1)
    old = spend_request(case=case, what="Bed", supplier="Shop", amount=Decimal("100.00"), by=hhc,
                        requested_at=datetime(2026, 3, 1, tzinfo=LONDON))
    spend_approve(spend=old, by=manager)
    assert spend_approve(spend=ask(case, hhc, "100.00"), by=manager).over_budget_override is False


def test_refused_and_waiting_requests_are_not_committed(case, hhc, manager):
    set_budget("100.00")
    spend_refuse(spend=ask(case, hhc, "90.00"), by=manager, note="Charity can supply")
    ask(case, hhc, "90.00")
    assert spend_approve(spend=ask(case, hhc, "100.00"), by=manager).over_budget_override is False


def test_decimal_exactness_three_thirds_fit_a_hundred_pound_budget(case, hhc, manager):
    set_budget("100.00")
    for _ in range(3):
        spend_approve(spend=ask(case, hhc, "33.33"), by=manager)
    position = budget_position(service_org(), YEAR)
    assert position.committed == Decimal("99.99")
    assert position.remaining == Decimal("0.01")
    assert position.percent_committed == Decimal("100.0")  # 99.99 % rounded to one place
    assert spend_approve(spend=ask(case, hhc, "0.01"), by=manager).over_budget_override is False
    with pytest.raises(SpendActionRefused):
        spend_approve(spend=ask(case, hhc, "0.01"), by=manager)


def test_the_requester_cannot_approve_their_own_request(case, pm):
    set_budget("100.00")
    spend = ask(case, pm, "10.00")
    with pytest.raises(SpendActionRefused, match="another manager"):
        spend_approve(spend=spend, by=pm)
    with pytest.raises(SpendActionRefused, match="another manager"):
        spend_refuse(spend=spend, by=pm, note="No")


def test_an_hhc_or_a_manager_of_another_service_cannot_decide(case, hhc):
    set_budget("100.00")
    spend = ask(case, hhc, "10.00")
    other = make_user(Role.HOUSING_MANAGER, organisation=make_org("OTH", kind="housing_provider"))
    for by in (make_user(Role.HHC), other):
        with pytest.raises(SpendActionRefused):
            spend_approve(spend=spend, by=by)


def test_a_decided_request_cannot_be_decided_again(case, hhc, manager, pm):
    set_budget("100.00")
    spend = spend_approve(spend=ask(case, hhc, "10.00"), by=manager)
    with pytest.raises(SpendActionRefused, match="already"):
        spend_refuse(spend=spend, by=pm, note="No")


def test_refusal_needs_a_note(case, hhc, manager):
    with pytest.raises(SpendActionRefused):
        spend_refuse(spend=ask(case, hhc, "10.00"), by=manager, note="")


def test_only_approved_spend_can_be_paid_and_paid_stays_committed(case, hhc, manager):
    set_budget("100.00")
    waiting = ask(case, hhc, "10.00")
    with pytest.raises(SpendActionRefused):
        spend_mark_paid(spend=waiting, by=manager)
    paid = spend_mark_paid(spend=spend_approve(spend=waiting, by=manager), by=make_user(Role.ADMIN_OFFICER))
    assert paid.status == SpendRequest.Status.PAID and paid.paid_at is not None
    position = budget_position(service_org(), YEAR)
    assert position.committed == position.paid == Decimal("10.00")


def test_ledgers_sum_per_case_and_per_year(hhc, manager):
    set_budget("1000.00")
    one, two = make_case(Stage.TENANCY_START, assigned_to=hhc), make_case(Stage.TENANCY_START, assigned_to=hhc)
    spend_mark_paid(spend=spend_approve(spend=ask(one, hhc, "120.50"), by=manager), by=manager)
    spend_approve(spend=ask(one, hhc, "79.50"), by=manager)
    spend_refuse(spend=ask(one, hhc, "500.00"), by=manager, note="Too much")
    ask(one, hhc, "12.34")
    spend_approve(spend=ask(two, hhc, "0.10"), by=manager)
    spend_approve(spend=ask(two, hhc, "0.20"), by=manager)

    ledger = case_ledger(one)
    assert len(ledger.rows) == 4
    assert (ledger.committed, ledger.paid, ledger.awaiting, ledger.refused) == (
        Decimal("200.00"), Decimal("120.50"), Decimal("12.34"), Decimal("500.00"))
    assert case_ledger(two).committed == Decimal("0.30")  # not 0.30000000000000004
    book = year_ledger(service_org(), YEAR)
    assert len(book.rows) == 6 and book.committed == Decimal("200.30")
    position = budget_position(service_org(), YEAR)
    assert position.remaining == Decimal("799.70")
    assert position.percent_committed == Decimal("20.0")
    assert position.awaiting == Decimal("12.34")


# ----------------------------------------------------------------------------------------------- pages


def test_an_hhc_requests_spend_from_the_case_page(client, case, hhc):
    client.force_login(hhc)
    url = reverse("hardship:case", args=[case.pk])
    response = client.post(url, {"what": "Carpets, lounge", "supplier": "Carpet Co", "amount": "1234.5"})
    assert response.status_code == 302
    spend = SpendRequest.objects.get()
    assert spend.amount == Decimal("1234.50") and spend.requested_by == hhc
    assert AuditEvent.objects.filter(action="create", object_type="hardship_spend", person_id=case.person_id).exists()
    page = client.get(url)
    assert "£1,234.50" in page.content.decode()


def test_the_case_page_rejects_fractions_of_a_penny(client, case, hhc):
    client.force_login(hhc)
    response = client.post(reverse("hardship:case", args=[case.pk]),
                           {"what": "Bed", "supplier": "Shop", "amount": "10.005"})
    assert response.status_code == 200
    assert "fractions of a penny" in response.content.decode()
    assert not SpendRequest.objects.exists()


def test_a_manager_approves_with_an_override_from_the_decision_page(client, case, hhc, manager):
    set_budget("1000.00")
    spend = ask(case, hhc, "1500.00")
    client.force_login(manager)
    assert reverse("hardship:decide", args=[spend.pk]) in client.get(reverse("hardship:queue")).content.decode()
    url = reverse("hardship:decide", args=[spend.pk])
    refused = client.post(url, {"decision": "approve", "note": ""})
    assert refused.status_code == 200 and "over the 2026/27 budget of £1,000.00" in refused.content.decode()
    response = client.post(url, {"decision": "approve", "override": "on", "override_reason": "Move day Friday"})
    assert response.status_code == 302
    spend.refresh_from_db()
    assert spend.over_budget_override and spend.override_reason == "Move day Friday"
    event = AuditEvent.objects.get(action="change", object_type="hardship_spend")
    assert "over-budget override: Move day Friday" in event.summary
    assert event.person_id == case.person_id


def test_the_ledger_shows_the_year_against_budget(client, case, hhc, manager):
    set_budget("12500.00")
    spend_approve(spend=ask(case, hhc, "2500.00"), by=manager)
    client.force_login(manager)
    body = client.get(reverse("hardship:ledger"), {"year": YEAR}).content.decode()
    assert "Hardship fund 2026/27" in body
    assert "£12,500.00" in body and "£10,000.00" in body and "20.0%" in body
    assert AuditEvent.objects.filter(action="list", object_type="hardship_spend").exists()


@pytest.mark.parametrize("role", [Role.REFERRER, Role.COMMISSIONER, Role.LETTINGS_OFFICER])
def test_people_outside_the_service_get_not_found(client, case, role):
    client.force_login(make_user(role))
    for url in (reverse("hardship:ledger"), reverse("hardship:queue"), reverse("hardship:case", args=[case.pk])):
        assert client.get(url).status_code == 404


def test_an_hhc_cannot_open_the_approval_queue(client, hhc):
    client.force_login(hhc)
    assert client.get(reverse("hardship:queue")).status_code == 404


def test_another_services_manager_cannot_see_the_request(client, case, hhc):
    spend = ask(case, hhc, "10.00")
    client.force_login(make_user(Role.HOUSING_MANAGER, organisation=make_org("OTH", kind="housing_provider")))
    assert client.get(reverse("hardship:decide", args=[spend.pk])).status_code == 404


def test_a_manager_sees_their_own_request_but_no_decision_form(client, case, pm):
    spend = ask(case, pm, "10.00")
    client.force_login(pm)
    assert "Your request: another manager decides" in client.get(reverse("hardship:queue")).content.decode()
    body = client.get(reverse("hardship:decide", args=[spend.pk])).content.decode()
    assert "another manager must decide it" in body and 'name="decision"' not in body
    client.post(reverse("hardship:decide", args=[spend.pk]), {"decision": "approve"})
    spend.refresh_from_db()
    assert spend.status == SpendRequest.Status.REQUESTED


def test_admin_support_records_payment_from_the_case_page(client, case, hhc, manager):
    set_budget("100.00")
    spend = spend_approve(spend=ask(case, hhc, "10.00"), by=manager)
    client.force_login(make_user(Role.ADMIN_OFFICER))
    assert "Record as paid" in client.get(reverse("hardship:case", args=[case.pk])).content.decode()
    response = client.post(reverse("hardship:paid", args=[spend.pk]), {"next": "case"})
    assert response.url == reverse("hardship:case", args=[case.pk])
    spend.refresh_from_db()
    assert spend.status == SpendRequest.Status.PAID
