"""The evaluator's pseudonymised case-level export: nobody named, NHS numbers replaced by a keyed hash that is
stable for a key and differs across keys, dates shifted consistently per person, cells a spreadsheet will not
work out, every export audited, and nobody but the evaluator gets it."""

import csv
import hashlib
import hmac
import io
from datetime import date, timedelta

import pytest

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.cases.models import Case
from h2h.evaluation import pseudonyms
from h2h.evaluation.export import COLUMNS, age_band
from tests.factories import TEST_NHS_NUMBERS, make_org, make_person, make_user
from tests.test_evaluation import rehoused_case

pytestmark = pytest.mark.django_db

D = date
URL = "/evaluation/export.csv?from=2025-11&to=2026-10"
KEY_A = "a" * 40
KEY_B = "b" * 40
SECRETS = {"first_name": "Zebulonqx", "last_name": "Quixotewvy", "address_line_1": "17 Canaryqx Lane",
           "address_line_2": "Flat Canarywz", "town": "Canarytown", "postcode": "NG7 9QZ", "phone": "07700 900123",
           "email": "canary@example.org"}
DOB = D(1931, 2, 17)


@pytest.fixture
def people(db, settings):
    settings.H2H_PSEUDONYM_KEY = KEY_A
    consenting = make_person(nhs_number=TEST_NHS_NUMBERS[2], date_of_birth=DOB, **SECRETS)
    first = rehoused_case(days=50, tenancy_on=D(2026, 5, 1), person=consenting, sharing=("housing", "evaluation"))
    # The same person again later: a second case, closed and referred again (one open case at a time).
    Case.objects.filter(pk=first.pk).update(stage="closed", closing_reason="rehoused")
    second = rehoused_case(days=20, tenancy_on=D(2026, 9, 1), person=consenting, sharing=("housing", "evaluation"),
                           cohort="=1+1")
    refusing = make_person(nhs_number=TEST_NHS_NUMBERS[0], last_name="Nolinkqx", date_of_birth=D(1940, 6, 1))
    other = rehoused_case(days=80, tenancy_on=D(2026, 2, 1), person=refusing, sharing=("housing",))
    return first, second, other


def _export(client, url=URL):
    evaluator = make_user(Role.EVALUATOR, organisation=make_org("ICB", kind="commissioner"))
    client.force_login(evaluator)
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    return text, rows


def _row(rows, case_id, key=KEY_A):
    return next(r for r in rows if r["case_key"] == pseudonyms.case_pseudonym(key.encode(), case_id))


def test_one_row_per_case_and_nobody_named(client, people):
    text, rows = _export(client)
    assert len(rows) == 3 and list(rows[0]) == list(COLUMNS)
    for secret in (*SECRETS.values(), "Canary", "Nolinkqx", *TEST_NHS_NUMBERS, "999 000 00",
                   "1931-02-17", "17/02/1931", "1940-06-01"):
        assert secret not in text, secret
    first, second, other = people
    assert _row(rows, first.pk)["age_band_at_referral"] == "90+"  # 95 when referred in March 2026: top-coded
    assert _row(rows, other.pk)["age_band_at_referral"] == "85-89"  # born June 1940, referred November 2025
    assert age_band(D(1931, 2, 17), D(2026, 2, 16)) == "90+" and age_band(D(1950, 6, 1), D(2026, 5, 31)) == "75-79"


def test_the_pseudonym_is_a_keyed_hash_of_the_nhs_number(client, people, settings):
    first, second, other = people
    _, rows = _export(client)
    expected = hmac.new(KEY_A.encode(), f"nhs:{TEST_NHS_NUMBERS[2]}".encode(), hashlib.sha256).hexdigest()
    assert _row(rows, first.pk)["person_key"] == _row(rows, second.pk)["person_key"] == expected
    # Stable: the same key gives the same pseudonyms in a later export.
    _, again = _export(client)
    assert [r["person_key"] for r in again] == [r["person_key"] for r in rows]
    # Another key gives other pseudonyms, for the person and the case alike.
    settings.H2H_PSEUDONYM_KEY = KEY_B
    _, other_key = _export(client)
    assert _row(other_key, first.pk, KEY_B)["person_key"] != expected
    assert not {r["case_key"] for r in other_key} & {r["case_key"] for r in rows}
    assert not {r["person_key"] for r in other_key} & {r["person_key"] for r in rows}


def test_without_consent_to_link_no_nhs_based_pseudonym_and_no_hospital_figures(client, people):
    _, rows = _export(client)
    row = _row(rows, people[2].pk)
    assert row["hospital_linkage_consent"] == "no"
    assert row["person_key"].startswith("L") and len(row["person_key"]) == 64
    unkeyed = hmac.new(KEY_A.encode(), f"nhs:{TEST_NHS_NUMBERS[0]}".encode(), hashlib.sha256).hexdigest()
    assert row["person_key"] != unkeyed
    assert row["before_status"] == "" and row["after_admissions"] == ""
    assert _row(rows, people[0].pk)["hospital_linkage_consent"] == "yes"


def test_dates_shift_by_one_offset_per_person(client, people):
    first, second, other = people
    _, plain = _export(client)
    _, shifted = _export(client, URL + "&shift_dates=on")
    assert {r["dates_shifted"] for r in plain} == {"no"} and {r["dates_shifted"] for r in shifted} == {"yes"}
    offsets = {}
    for case in (first, second, other):
        before, after = _row(plain, case.pk), _row(shifted, case.pk)
        assert before["referred_on"] == case.referred_on.isoformat()  # unshifted: the real date
        moved = D.fromisoformat(after["referred_on"]) - D.fromisoformat(before["referred_on"])
        assert D.fromisoformat(after["tenancy_start"]) - D.fromisoformat(before["tenancy_start"]) == moved
        assert after["days_to_tenancy"] == before["days_to_tenancy"]  # intervals kept exactly
        assert timedelta(0) < abs(moved) <= timedelta(days=pseudonyms.MAX_SHIFT_DAYS)
        offsets[case.pk] = moved
    assert offsets[first.pk] == offsets[second.pk]  # one person, one offset across their cases
    key = KEY_A.encode()
    assert offsets[first.pk] == pseudonyms.date_shift(key, f"person:{first.person_id}")
    assert offsets[other.pk] == pseudonyms.date_shift(key, f"person:{other.person_id}")


def test_the_shift_is_spread_and_never_zero():
    key = b"k" * 40
    shifts = {pseudonyms.date_shift(key, f"person:{n}").days for n in range(2000)}
    assert 0 not in shifts and min(shifts) == -30 and max(shifts) == 30 and len(shifts) == 60


def test_formula_triggers_are_neutralised(client, people):
    text, rows = _export(client)
    assert _row(rows, people[1].pk)["cohort"] == "'=1+1"
    assert "\n=1+1" not in text and ",=1+1" not in text


def test_each_export_is_audited_once(client, people):
    _export(client, URL + "&shift_dates=on")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="pseudonymised_export")
    assert events.count() == 1
    event = events.get()
    assert event.role == Role.EVALUATOR and "3 cases" in event.summary and "dates shifted" in event.summary
    assert event.object_id == "2025-11-2026-10"


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PROJECT_MANAGER, Role.HHC, Role.REFERRER,
                                  Role.ADMINISTRATOR])
def test_only_the_evaluator_gets_the_export(client, people, role):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 404
    assert client.get("/evaluation/export/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_without_a_key_in_production_the_export_refuses_clearly(client, people, settings, monkeypatch):
    del settings.H2H_PSEUDONYM_KEY
    settings.DEBUG = False
    monkeypatch.delenv("H2H_ALLOW_INSECURE_KEY", raising=False)
    monkeypatch.delenv("H2H_PSEUDONYM_KEY", raising=False)
    client.force_login(make_user(Role.EVALUATOR, organisation=make_org("ICB", kind="commissioner")))
    response = client.get(URL)
    assert response.status_code == 503 and "H2H_PSEUDONYM_KEY" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    settings.H2H_PSEUDONYM_KEY = "too-short"
    with pytest.raises(pseudonyms.PseudonymKeyMissing, match="at least 32"):
        pseudonyms.pseudonym_key()


def test_the_export_page_explains_and_offers_the_period(client, people):
    client.force_login(make_user(Role.EVALUATOR, organisation=make_org("ICB", kind="commissioner")))
    page = client.get("/evaluation/export/?from=2025-11&to=2026-10").content.decode()
    assert "keyed pseudonym" in page and 'value="2025-11"' in page and "Shift each person" in page
    bad = client.get("/evaluation/export.csv?from=2026-11&to=2025-10")
    assert bad.status_code == 400 and "The month to must be" in bad.content.decode()
