"""The calendar feed: the iCalendar text (RFC 5545), whose events appear, what never appears, and the secret
address (hashed, revocable, 404 otherwise, never cached or logged)."""

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.calendar.ics import Event, calendar, escape_text, fold
from h2h.calendar.models import CalendarFeed, token_digest
from h2h.calendar.redaction import RedactFeedTokens
from h2h.calendar.services import feed_create, feed_for_token, feed_revoke
from h2h.cases.stages import Stage
from h2h.repairs.models import Job
from tests.factories import TEST_NHS_NUMBERS, make_case, make_org, make_person, make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
support_installed = pytest.mark.skipif(not apps.is_installed("h2h.support"), reason="h2h.support not installed")


def feed_url(token: str) -> str:
    return reverse("calendar:feed", kwargs={"token": token})


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


# ----------------------------------------------------------------------------------------------- the format


def test_text_values_escape_backslash_semicolon_comma_and_newlines():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "é" * 100  # 2 octets each
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert len(pieces) > 1
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert unfold(folded) == line


def test_calendar_structure():
    long_summary = "Follow-up visit – case H2H-000123, with a note; long enough to need folding " * 2
    text = calendar([Event(uid="h2h-visit-1@example", day=date(2026, 12, 24), summary=long_summary,
                           description="https://h2h.example/cases/1/", url="https://h2h.example/cases/1/")],
                    now=NOW, name="H2H visits")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends CRLF
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\r\n " in text  # the long summary was folded
    flat = unfold(text)
    assert "BEGIN:VEVENT\r\nUID:h2h-visit-1@example\r\nDTSTAMP:20261123T093000Z\r\n" in flat
    assert "DTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261225\r\n" in flat
    assert "SUMMARY:Follow-up visit – case H2H-000123\\, with a note\\; long enough" in flat
    assert flat.count("BEGIN:VEVENT") == flat.count("END:VEVENT") == 1


# ----------------------------------------------------------------------------------------------- tokens


def test_only_the_hash_of_the_token_is_stored():
    user = make_user(Role.HHC)
    feed, token = feed_create(user=user)
    assert len(token) >= 43
    assert feed.token_hash == token_digest(token) != token
    assert not CalendarFeed.objects.filter(token_hash=token).exists()
    assert feed_for_token(token) == feed


def test_a_new_address_replaces_the_old_one():
    user = make_user(Role.HHC)
    _, old = feed_create(user=user)
    _, new = feed_create(user=user)
    assert feed_for_token(old) is None and feed_for_token(new) is not None
    assert CalendarFeed.objects.filter(user=user).count() == 1


def test_revoked_and_wrong_tokens_get_not_found(client):
    user = make_user(Role.HHC)
    _, token = feed_create(user=user)
    assert client.get(feed_url(token)).status_code == 200
    wrong = client.get(feed_url(token[:-2] + ("AA" if not token.endswith("AA") else "BB")))
    assert wrong.status_code == 404 and wrong["Cache-Control"] == "no-store"
    feed_revoke(user=user)
    revoked = client.get(feed_url(token))
    assert revoked.status_code == 404 and revoked["Cache-Control"] == "no-store"


def test_a_deactivated_user_feed_gets_not_found(client):
    user = make_user(Role.HHC)
    _, token = feed_create(user=user)
    user.is_active = False
    user.save()
    assert client.get(feed_url(token)).status_code == 404


def test_a_bad_token_is_not_logged(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get(feed_url("not-a-real-token-xyz"))
    assert "not-a-real-token-xyz" not in caplog.text


def test_the_redaction_filter_blanks_tokens_in_request_lines():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /calendar/feed/abcDEF_123-x.ics HTTP/1.1", 200, 512), None)
    RedactFeedTokens().filter(record)
    assert "abcDEF_123-x" not in record.getMessage()
    assert "/calendar/feed/[redacted].ics" in record.getMessage()


# ----------------------------------------------------------------------------------------------- the feed


@pytest.fixture
def world():
    """Alice's and Bob's cases, each with a job (and visits and tasks when h2h.support is installed)."""
    alice, bob = make_user(Role.HHC), make_user(Role.HHC)
    person = make_person(first_name="Zebulon", last_name="Quattlebaum-Vixley", nhs_number=TEST_NHS_NUMBERS[1])
    mine = make_case(Stage.TENANCY_START, assigned_to=alice, person=person)
    theirs = make_case(Stage.TENANCY_START, assigned_to=bob)
    closed = make_case(Stage.CLOSED, assigned_to=alice)
    contractor = make_org("PL1", name="Partner Landlord", kind="partner_landlord")
    now = timezone.now()
    for case in (mine, theirs, closed):
        Job.objects.create(case=case, kind="adaptation", priority="routine", contractor=contractor,
                           description="Stair lift: diagnosis of COPD", raised_at=now, raised_by=alice,
                           due_at=now + timedelta(days=10))
    done = Job.objects.create(case=mine, kind="repair", priority="routine", contractor=contractor,
                              description="Door", raised_at=now - timedelta(days=3), raised_by=alice,
                              due_at=now + timedelta(days=20), completed_at=now - timedelta(days=1),
                              completed_by=alice)
    if apps.is_installed("h2h.support"):
        Visit, Task = apps.get_model("support", "Visit"), apps.get_model("support", "Task")
        today = timezone.localdate()
        Visit.objects.create(case=mine, kind="two_week", owner=alice, due_on=today + timedelta(days=3))
        Visit.objects.create(case=theirs, kind="two_week", owner=bob, due_on=today + timedelta(days=3))
        Task.objects.create(case=mine, title="Benefits check after stroke", owner=alice, due_on=today)
        Task.objects.create(case=mine, title="Utilities", owner=bob, due_on=today)  # Bob's task on Alice's case
        Task.objects.create(case=mine, title="Removals", owner=alice, due_on=today, status="done",
                            done_on=today, done_by=alice)
    return {"alice": alice, "bob": bob, "mine": mine, "theirs": theirs, "closed": closed, "done_job": done,
            "person": person}


def fetch(client, user) -> str:
    _, token = feed_create(user=user)
    response = client.get(feed_url(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    return response.content.decode()


def test_the_feed_holds_the_users_events_and_nobody_elses(client, world):
    text = unfold(fetch(client, world["alice"]))
    mine, theirs = world["mine"].reference, world["theirs"].reference
    assert f"SUMMARY:Job deadline – case {mine}" in text
    assert theirs not in text
    assert world["closed"].reference not in text
    assert f"h2h-job-{world['done_job'].pk}@" not in text
    assert f"/cases/{world['mine'].pk}/" in text
    if apps.is_installed("h2h.support"):
        assert f"SUMMARY:Follow-up visit – case {mine}" in text
        assert text.count(f"SUMMARY:Task due – case {mine}") == 1  # not Bob's, not the done one
        assert text.count("BEGIN:VEVENT") == 3
    else:
        assert text.count("BEGIN:VEVENT") == 1


def test_bobs_feed_has_his_task_on_alices_case_but_not_her_events(client, world):
    text = unfold(fetch(client, world["bob"]))
    assert f"Job deadline – case {world['theirs'].reference}" in text
    assert f"Job deadline – case {world['mine'].reference}" not in text
    if apps.is_installed("h2h.support"):
        assert f"Task due – case {world['mine'].reference}" in text


def test_the_feed_never_holds_a_name_nhs_number_or_health_details(client, world):
    text = unfold(fetch(client, world["alice"]))
    person = world["person"]
    for secret in (person.first_name, person.last_name, person.nhs_number, person.nhs_number_display,
                   person.postcode, "COPD", "Stair lift", "stroke", "Benefits check", "adaptation"):
        assert secret not in text


def test_each_fetch_is_audited_without_the_token(client, world):
    _, token = feed_create(user=world["alice"])
    client.get(feed_url(token))
    client.get(feed_url(token))
    events = AuditEvent.objects.filter(object_type="calendar_feed")
    assert events.count() == 2
    event = events.first()
    assert event.user == world["alice"] and event.person_id is None
    assert token not in event.path and token not in event.summary
    assert CalendarFeed.objects.get(user=world["alice"]).last_fetched_at is not None


# ----------------------------------------------------------------------------------------------- the page


def test_the_page_shows_the_address_once_and_revokes_it(client):
    user = make_user(Role.HHC)
    client.force_login(user)
    page = reverse("calendar:manage")
    assert "You do not have a calendar address yet" in client.get(page).content.decode()
    made = client.post(page, {"action": "create"})
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    body = made.content.decode()
    feed = CalendarFeed.objects.get(user=user)
    token = body.split("/calendar/feed/")[1].split(".ics")[0]
    assert feed.token_hash == token_digest(token)
    assert token not in client.get(page).content.decode()  # shown once only
    assert client.post(page, {"action": "revoke"}).status_code == 302
    assert client.get(feed_url(token)).status_code == 404


def test_people_outside_the_service_cannot_make_a_feed(client):
    client.force_login(make_user(Role.REFERRER))
    assert client.get(reverse("calendar:manage")).status_code == 404
    assert client.post(reverse("calendar:manage"), {"action": "create"}).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(reverse("calendar:manage")).status_code == 302
