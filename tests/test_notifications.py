"""Emails to referrers: accepted, not accepted, rehoused (h2h/notifications, docs/notifications.md).

Sending is real Django mail: the locmem backend (mail.outbox) for success; for failure, the real SMTP backend
pointed at a closed port on this machine, or a backend that raises what smtplib raises.
"""

import smtplib
import socket
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.area.config import get_area
from h2h.cases.models import Case
from h2h.cases.services import case_move, case_screen_accept, case_screen_decline
from h2h.cases.stages import Stage
from h2h.lib.identifiers import nhs_number_format
from h2h.notifications.checks import site_url_is_public
from h2h.notifications.models import Notification
from h2h.notifications.services import (
    BACKOFF,
    LEASE,
    MAX_ATTEMPTS,
    _claim,
    notifications_send_due,
    notifications_suppressed,
    notify_referrers,
)
from h2h.referrals.models import Referral
from h2h.referrals.services import referral_submit
from tests.factories import (
    TEST_NHS_NUMBERS,
    make_case,
    make_org,
    make_referral,
    make_user,
    referral_answers,
    referrer_org,
)

pytestmark = pytest.mark.django_db

REFERRER_EMAIL = "rita.referrer@nuh.example.nhs.uk"


class RefusingBackend(BaseEmailBackend):
    """A mail server that answers every message with a temporary failure (what smtplib raises)."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("451 4.3.0 Mail server temporarily rejected message")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hhc():
    return make_user(Role.HHC)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit sends as a real commit would (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2


def case_with_email(stage=Stage.REFERRAL_RECEIVED, email=REFERRER_EMAIL, **kwargs) -> Case:
    case = make_case(stage, **kwargs)
    Referral.objects.filter(pk=case.referral_id).update(referrer_email=email, referrer_name="Rita Referrer")
    case.referral.refresh_from_db()
    return case


def accept(case, hhc):
    return case_screen_accept(case=case, by=hhc, cohort="older_people", results=[], on=timezone.localdate())


# --- what is sent when ------------------------------------------------------------------------------------


def test_it_emails_the_referrer_when_the_referral_is_accepted(hhc, on_commit, settings):
    settings.H2H_SITE_URL = "https://h2h.example.nhs.uk"
    case = case_with_email()
    with on_commit():
        accept(case, hhc)
    [message] = mail.outbox
    reference = case.referral.reference
    assert message.to == [REFERRER_EMAIL]
    assert message.subject == f"Housing to Health: referral {reference} accepted"
    assert f"Your referral {reference} to Housing to Health was accepted" in message.body
    assert f"https://h2h.example.nhs.uk/sign-in/?next=%2Freferrals%2F{case.referral_id}%2F" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    notification = Notification.objects.get()
    assert (notification.kind, notification.status, notification.attempts) == ("accepted", "sent", 1)
    assert notification.sent_at is not None


def test_the_sign_in_link_leads_the_referrer_to_their_referral(client, hhc, on_commit):
    case = case_with_email()
    referrer = make_user(Role.REFERRER)
    referrer.set_password("a long enough password")
    referrer.save()
    with on_commit():
        accept(case, hhc)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/sign-in/" in line)
    parts = urlsplit(link)
    next_page = parse_qs(parts.query)["next"][0]
    response = client.post(
        parts.path, {"username": referrer.username, "password": "a long enough password", "next": next_page}
    )
    assert response.status_code == 302 and response["Location"] == f"/referrals/{case.referral_id}/"
    assert client.get(response["Location"]).status_code == 200


def test_it_emails_the_referrer_when_the_referral_is_not_accepted(hhc, on_commit):
    case = case_with_email()
    with on_commit():
        case_screen_decline(
            case=case, by=hhc, reason="x", onward_referral="y", results=[], on=timezone.localdate()
        )
    [message] = mail.outbox
    assert message.subject.endswith(f"referral {case.referral.reference} not accepted")
    assert "you can see why" in message.body
    assert Notification.objects.get().kind == Notification.Kind.DECLINED


def test_it_emails_the_referrer_when_the_tenancy_starts_and_not_again_on_closing_as_rehoused(hhc, on_commit):
    today = timezone.localdate()
    case = case_with_email(Stage.OFFER, assigned_to=hhc, cohort="older_people")
    with on_commit():
        case_move(case=case, to_stage=Stage.TENANCY_START, by=hhc, on=today)
    [message] = mail.outbox
    assert message.subject.endswith("the person has been rehoused")
    assert f"their tenancy started on {today:%-d %B %Y}" in message.body
    with on_commit():
        case_move(case=case, to_stage=Stage.CLOSED, by=hhc, on=today, closing_reason="rehoused")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("from_stage", "to_stage"),
    [
        (Stage.SCREENED, Stage.FIRST_VISIT),
        (Stage.APPLICATION_LIVE, Stage.OFFER),
        (Stage.OFFER, Stage.APPLICATION_LIVE),
        (Stage.TENANCY_START, Stage.FOLLOW_UP_2W),
    ],
)
def test_it_sends_nothing_for_other_moves(hhc, on_commit, from_stage, to_stage):
    case = case_with_email(from_stage, assigned_to=hhc, cohort="older_people")
    with on_commit():
        case_move(case=case, to_stage=to_stage, by=hhc, on=timezone.localdate())
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_it_queues_nothing_when_the_referrer_gave_no_email(hhc, on_commit):
    case = case_with_email(email="")
    with on_commit():
        accept(case, hhc)
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_each_referrer_on_the_case_hears_including_a_referral_linked_to_it(hhc, on_commit):
    case = case_with_email()
    linked = make_referral(
        person=case.person, case=case, linked_to_open_case=True, referrer_email="gp@surgery.example.nhs.uk"
    )
    make_referral(person=case.person, case=case, linked_to_open_case=True, referrer_email="")
    other_case = case_with_email(email="someone.else@example.nhs.uk")
    with on_commit():
        accept(case, hhc)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (REFERRER_EMAIL, f"Housing to Health: referral {case.referral.reference} accepted"),
            ("gp@surgery.example.nhs.uk", f"Housing to Health: referral {linked.reference} accepted"),
        ]
    )
    assert not other_case.referral.notifications.exists()


def test_a_name_with_an_apostrophe_is_written_as_it_is(hhc, on_commit):
    case = case_with_email()
    Referral.objects.filter(pk=case.referral_id).update(referrer_name="Siobhán O'Brien")
    with on_commit():
        accept(case, hhc)
    assert mail.outbox[0].body.startswith("Dear Siobhán O'Brien,\n")


# --- never anything about the person --------------------------------------------------------------------


def test_no_health_or_identity_detail_reaches_any_email(on_commit):
    """Every field about the person, their health and the decisions holds a unique marker; none may appear in
    any subject or body, through acceptance to rehousing, and in a decline."""
    hhc = make_user(Role.HHC)
    housing_manager = make_user(Role.HOUSING_MANAGER)
    referrer = make_user(Role.REFERRER)
    dob = date(1941, 2, 13)

    def submit(n: int, nhs_number: str) -> Referral:
        answers = referral_answers(
            first_name=f"Zqfirst{n}", last_name=f"Zqlast{n}", date_of_birth=dob, nhs_number=nhs_number,
            address_line_1=f"{n} Zqaddress Road", address_line_2=f"Zqline{n}", town=f"Zqtown{n}",
            postcode="NG7 9QZ", phone=f"07700 90012{n}", email=f"zqperson{n}@example.org",
            hospital=f"Zqhospital{n}", ward=f"Zqward{n}", housing_details=f"Zqhousing{n}",
            household_details=f"Zqhousehold{n}", has_carer=True, carer_details=f"Zqcarer{n}",
            consent_decision_maker=f"Zqdecisionmaker{n}", consent_notes=f"Zqconsent{n}",
            referrer_name=f"Rita Referrer{n}", referrer_email=f"rita{n}@nuh.example.nhs.uk",
            referrer_phone="0115 496 0999",
        )
        return referral_submit(
            answers=answers, by=referrer, referrer_organisation=referrer_org(), received_via="online"
        )

    today = timezone.localdate()
    housed, declined = submit(1, TEST_NHS_NUMBERS[1]), submit(2, TEST_NHS_NUMBERS[2])
    with on_commit():
        case = case_screen_accept(
            case=housed.case, by=hhc, cohort="older_people", results=[], on=today, note="Zqacceptnote"
        )
        for stage, by in [
            (Stage.FIRST_VISIT, hhc),
            (Stage.APPLICATION_LIVE, housing_manager),
            (Stage.OFFER, hhc),
            (Stage.TENANCY_START, hhc),
        ]:
            case = case_move(case=case, to_stage=stage, by=by, on=today, note="Zqmovenote")
        case_screen_decline(
            case=declined.case, by=hhc, reason="Zqdeclinereason", onward_referral="Zqonward", results=[],
            on=today,
        )
    assert len(mail.outbox) == 3

    forbidden = {"Zq", "NG7 9QZ", "07700", "example.org", "0115 496 0999", "Queen's Medical Centre", "C52"}
    forbidden |= {f"{dob:%-d %B %Y}", f"{dob:%d/%m/%Y}", dob.isoformat(), "1941"}
    for nhs_number in TEST_NHS_NUMBERS[1:]:
        forbidden |= {nhs_number, nhs_number_format(nhs_number)}
    area = get_area()
    forbidden |= set(area.reasons.values()) | {cohort.name for cohort in area.cohorts}
    for choices in (
        valuesets.Setting, valuesets.Tenure, valuesets.Mobility, valuesets.WheelchairUse, valuesets.Benefit
    ):
        forbidden |= set(choices.labels)
    texts = [m.subject + "\n" + m.body for m in mail.outbox]
    texts += [n.subject + "\n" + n.body for n in Notification.objects.all()]
    for text in texts:
        leaked = sorted(word for word in forbidden if word.lower() in text.lower())
        assert leaked == [], f"{leaked} in:\n{text}"
    # What the email is for is there: the referrer's own name and the reference.
    assert any("Rita Referrer1" in t and housed.reference in t for t in texts)


# --- the outbox: nothing lost, nothing twice --------------------------------------------------------------


def test_nothing_is_queued_when_the_change_is_rolled_back(hhc, on_commit):
    case = case_with_email()
    with on_commit(), pytest.raises(RuntimeError), transaction.atomic():
        accept(case, hhc)
        raise RuntimeError("the request failed after the change")
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_replayed_transition_sends_no_second_email(hhc, on_commit):
    case = case_with_email()
    with on_commit():
        accept(case, hhc)
    with on_commit(), transaction.atomic():
        assert notify_referrers(case=case, kind=Notification.Kind.ACCEPTED, on=timezone.localdate()) == []
    assert notifications_send_due(now=timezone.now() + timedelta(days=2)) == {}
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_the_database_refuses_a_second_notification_of_the_same_kind(hhc):
    case = case_with_email()
    accept(case, hhc)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            referral=case.referral, kind="accepted", to="x@example.nhs.uk", subject="s", body="b"
        )


def test_a_row_claimed_by_one_sender_is_not_taken_by_another(hhc):
    case = case_with_email()
    accept(case, hhc)  # no commit here, so nothing has been sent yet
    notification = Notification.objects.get()
    now = timezone.now()
    assert _claim(notification.pk, now)
    assert not _claim(notification.pk, now)
    assert notifications_send_due(now=now) == {}
    assert mail.outbox == []


def test_a_send_interrupted_by_a_crash_is_picked_up_after_the_lease(hhc):
    case = case_with_email()
    accept(case, hhc)
    notification = Notification.objects.get()
    now = timezone.now()
    _claim(notification.pk, now)  # the sender died here, before sending
    assert notifications_send_due(now=now + LEASE - timedelta(seconds=1)) == {}
    assert notifications_send_due(now=now + LEASE) == {"sent": 1}
    assert len(mail.outbox) == 1


def test_nothing_is_queued_while_history_is_loaded(hhc, on_commit):
    case = case_with_email()
    with on_commit(), notifications_suppressed():
        accept(case, hhc)
    assert Case.objects.get(pk=case.pk).stage == Stage.SCREENED
    assert not Notification.objects.exists() and mail.outbox == []


# --- failures are retried, then shown ---------------------------------------------------------------------


def test_the_screening_page_still_accepts_when_the_mail_server_is_down(client, hhc, on_commit, smtp_down):
    case = case_with_email()
    client.force_login(hhc)
    before = timezone.now()
    with on_commit():
        response = client.post(
            reverse("cases:screening", args=[case.pk]),
            {"decision": "accept", "cohort": "older_people", "reason": "Fits the cohort"},
        )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Stage.SCREENED
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == ("queued", 1)
    assert "ConnectionRefusedError" in notification.last_error
    assert before + BACKOFF[0] <= notification.next_attempt_at <= timezone.now() + BACKOFF[0]


def test_a_failed_send_is_retried_and_sent_once_the_server_is_back(hhc, on_commit, smtp_down, settings):
    case = case_with_email()
    with on_commit():
        accept(case, hhc)
    notification = Notification.objects.get()
    due = notification.next_attempt_at
    assert notifications_send_due(now=due - timedelta(seconds=1)) == {}  # not yet
    assert notifications_send_due(now=due) == {"retry": 1}  # still down: the second wait is longer
    notification.refresh_from_db()
    assert (notification.attempts, notification.next_attempt_at) == (2, due + BACKOFF[1])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications", stdout=(out := _Out()))  # not due yet at the real time
    assert out.text == "Sent 0, will retry 0, gave up on 0.\n"
    assert notifications_send_due(now=notification.next_attempt_at) == {"sent": 1}
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 3)
    assert [m.to for m in mail.outbox] == [[REFERRER_EMAIL]]


def test_it_backs_off_then_gives_up_and_can_be_requeued(hhc, on_commit, settings):
    settings.EMAIL_BACKEND = "tests.test_notifications.RefusingBackend"
    case = case_with_email()
    with on_commit():
        accept(case, hhc)
    notification = Notification.objects.get()
    waits = []
    while notification.status == Notification.Status.QUEUED:
        now = notification.next_attempt_at
        outcome = notifications_send_due(now=now)
        notification.refresh_from_db()
        if notification.status == Notification.Status.QUEUED:
            assert outcome == {"retry": 1}
            waits.append(notification.next_attempt_at - now)
    assert outcome == {"failed": 1}
    assert waits == list(BACKOFF[1:])
    assert notification.attempts == MAX_ATTEMPTS == 6
    assert notification.last_error == "SMTPException: 451 4.3.0 Mail server temporarily rejected message"
    assert notifications_send_due(now=timezone.now() + timedelta(days=30)) == {}  # given up: not tried again

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications", "--retry-failed", stdout=(out := _Out()))
    assert out.text == "Requeued 1 failed notification(s).\nSent 1, will retry 0, gave up on 0.\n"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


# --- the page for project managers ------------------------------------------------------------------------

urlpatterns = []


@pytest.fixture
def page_urls(settings):
    """The site's addresses, plus the page's own until h2h/urls.py mounts it."""
    try:
        reverse("notifications:list")
    except NoReverseMatch:
        from h2h.urls import urlpatterns as site

        urlpatterns[:] = [*site, path("notifications/", include("h2h.notifications.urls"))]
        settings.ROOT_URLCONF = __name__


def failed_notification(case) -> Notification:
    return Notification.objects.create(
        referral=case.referral, kind="accepted", to=REFERRER_EMAIL, subject="s", body="b",
        status="failed", attempts=MAX_ATTEMPTS, last_error="SMTPRecipientsRefused: 550 no such user",
    )


def test_a_project_manager_sees_their_services_failed_emails(client, page_urls):
    ours = failed_notification(case_with_email())
    other_service = make_org("OTH", name="Another service", kind="housing_provider")
    failed_notification(case_with_email(service=other_service))
    client.force_login(make_user(Role.PROJECT_MANAGER))
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Failed (1)" in page and ours.referral.reference in page and "550 no such user" in page


@pytest.mark.parametrize(
    ("role", "status"), [(Role.ADMINISTRATOR, 200), (Role.HHC, 404), (Role.REFERRER, 404)]
)
def test_only_project_managers_and_administrators_see_the_page(client, page_urls, role, status):
    failed_notification(case_with_email())
    client.force_login(make_user(role))
    assert client.get(reverse("notifications:list")).status_code == status


def test_the_deploy_check_warns_while_links_point_at_this_machine(settings):
    settings.H2H_SITE_URL = "http://127.0.0.1:8000"
    assert [w.id for w in site_url_is_public(None)] == ["notifications.W001"]
    settings.H2H_SITE_URL = "https://h2h.example.nhs.uk"
    assert site_url_is_public(None) == []
