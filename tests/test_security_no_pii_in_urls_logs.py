"""I6 (ASVS 14.2.1, 16.2.5): no personal data (NHS number, name, date of birth, postcode, email) in any URL
H2H generates, and none in its logs.

URLs: over the demo data, every page reachable by links is crawled as each staff role and the referrer; every
href, src, action and formaction in the HTML, every redirect Location and every visited address is checked for
the identifiers of every person held. Logs: the project's own console handler (with its filters, as configured
in settings.LOGGING) and pytest's caplog, both at DEBUG for the h2h and django loggers, while a referral is
submitted, its case pages read, a hospital activity file with the person's NHS number imported (good and bad)
and the API called, including refused calls. The calendar-feed token redaction (h2h/calendar/redaction.py) is
checked end to end through the same handler.
"""

import io
import logging
import re
from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.calendar.redaction import RedactFeedTokens
from h2h.calendar.services import feed_create
from h2h.cases.models import Case
from h2h.demo.generate import generate
from h2h.hospital.imports import import_extract
from h2h.referrals.models import Person, Referral
from tests.conftest import crawl_once
from tests.factories import make_user
from tests.test_api_referrals import bearer, body
from tests.test_security_xss import all_urls, crawl

pytestmark = pytest.mark.django_db

# A person nobody else could be: each identifier is searched for in every URL and log line.
SEED = {"first_name": "Zebulonqx", "last_name": "Quixotewvy", "date_of_birth": "1931-02-17",
        "nhs_number": "999 000 0034", "postcode": "NG7 9QZ", "email": "zebulonqx.canary@example.org",
        "phone": "07700 900123"}


def identifier_forms(person) -> set[str]:
    """The ways an identifier of this person could be written into a URL or a log line (lower case)."""
    forms = set()
    if person.nhs_number:
        n = person.nhs_number.replace(" ", "")
        forms |= {n, f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"}
    for name in (person.first_name, person.last_name):
        if name and len(name) >= 4:
            forms.add(name.lower())
    if person.date_of_birth:
        d = person.date_of_birth
        forms |= {d.isoformat(), d.strftime("%d/%m/%Y"), d.strftime("%d-%m-%Y"), d.strftime("%Y%m%d")}
    if person.postcode:
        forms |= {person.postcode.lower(), person.postcode.lower().replace(" ", "")}
    if getattr(person, "email", ""):
        forms.add(person.email.lower())
    return {f for f in forms if f}


def leaks(text: str, forms: set[str]) -> list[str]:
    text = unquote_plus(text).lower()
    found = []
    for form in forms:
        if form.isalpha():  # a name: whole word only
            # apart from letters, digits, _ and - (code slugs like bed_day_mental_health_ward are not names)
            if re.search(rf"(?<![a-z0-9_\-]){re.escape(form)}(?![a-z0-9_\-])", text):
                found.append(form)
        elif form in text:
            found.append(form)
    return found


# --- URLs ---------------------------------------------------------------------------------------------------

@crawl_once
@pytest.mark.parametrize("role", [Role.HHC, Role.PROJECT_MANAGER, Role.LETTINGS_OFFICER, Role.REFERRER,
                                  Role.EVALUATOR])
def test_no_url_the_pages_generate_carries_personal_data(client, role, request):
    """I6 (ASVS 14.2.1): every href/src/action/Location on every page reachable as this role, over the demo
    data, holds 0 NHS numbers, names, dates of birth, postcodes or emails of the people held."""
    generate(seed=5, referrals=40)
    forms = set().union(*(identifier_forms(p) for p in Person.objects.all()))
    users = User.objects.filter(role=role, is_active=True, api_client__isnull=True)
    user = (users.annotate(n=Count("caseload"))
            .order_by("-n", "pk").first() if role == Role.HHC else users.order_by("pk").first())
    client.force_login(user)
    urls, found = [], []

    def collect(url, response):
        urls.append(url)
        if "Location" in response:
            urls.append(response["Location"])
        if "html" in response.get("Content-Type", ""):
            attrs, _ = all_urls(response.content.decode(errors="replace"), url)
            urls.extend(attrs)

    visited = crawl(client, ["/"], limit=100, skip=("/calendar/feed",), on_page=collect)
    for url in set(urls):
        hit = leaks(url, forms)
        if hit:
            found.append((url, hit))
    figures = (f"{role}: {len(visited)} pages, {len(set(urls))} distinct URLs, {len(forms)} identifiers, "
               f"{len(found)} with personal data")
    request.node.user_properties.append(("I6 URL figures", figures))
    assert len(visited) >= 10 and len(set(urls)) >= 20
    assert found == [], found[:5]


def test_the_case_search_sends_names_and_nhs_numbers_by_post(client):
    """I6 (ASVS 14.2.1): the search that takes names and NHS numbers does not put them in the URL."""
    generate(seed=5, referrals=40)
    client.force_login(User.objects.filter(role=Role.PROJECT_MANAGER, api_client__isnull=True).first())
    page = client.get(reverse("cases:list")).content.decode()
    form = re.search(r"<form[^>]*>(?:(?!</form>).)*name=\"q\"", page, re.S)
    assert form is not None
    assert re.search(r'method="post"', form.group(0), re.I), form.group(0)[:200]
    # and the posted search still finds the case by NHS number, and by name
    case = Case.objects.exclude(person__nhs_number="").select_related("person").order_by("-referred_on").first()
    for query in (case.person.nhs_number, case.person.last_name):
        found = client.post(reverse("cases:list"), {"q": query, "stage": "all"})
        assert found.status_code == 200 and case.reference in found.content.decode(), query
    assert query not in client.get(reverse("cases:list")).content.decode().split('name="q"')[1][:200]


# --- logs ---------------------------------------------------------------------------------------------------

class _Captured:
    """Everything the project's own console handler writes (its filters applied), and caplog's records."""

    def __init__(self, caplog):
        self.caplog = caplog
        self.stream = io.StringIO()
        self.handlers = [h for h in logging.getLogger().handlers
                         if any(isinstance(f, RedactFeedTokens) for f in h.filters)]

    def __enter__(self):
        assert self.handlers, "settings.LOGGING's console handler (feed-token filter) is not installed"
        self.saved = [(h, h.setStream(self.stream), h.level) for h in self.handlers]
        for handler in self.handlers:
            handler.setLevel(logging.DEBUG)
        self.levels = {name: logging.getLogger(name).level for name in ("", "h2h", "django")}
        for name in self.levels:
            logging.getLogger(name).setLevel(logging.DEBUG)
        self.caplog.set_level(logging.DEBUG)
        return self

    def __exit__(self, *exc):
        for handler, stream, level in self.saved:
            handler.setStream(stream)
            handler.setLevel(level)
        for name, level in self.levels.items():
            logging.getLogger(name).setLevel(level)

    @property
    def text(self) -> str:
        records = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in self.caplog.records)
        return self.stream.getvalue() + "\n" + records


def test_no_log_line_carries_personal_data(client, caplog, settings, request):
    """I6 (ASVS 16.2.5): submitting a referral (API), reading its case as the coordinator, importing hospital
    activity with the person's NHS number (accepted and refused files) and refused API calls log 0 seeded
    identifiers, through the project's handler and caplog at DEBUG."""
    settings.DEBUG = False  # as in production: SQL and its parameters are not logged
    make_user(Role.HHC)  # someone for the referral's case to be allocated to
    headers = bearer()
    data = body(**{f"person__{k}": v for k, v in SEED.items()})
    with _Captured(caplog) as captured:
        response = client.post("/api/v1/referrals", data, content_type="application/json", headers=headers)
        assert response.status_code == 201, response.content
        reference = response.json()["reference"]
        # The same person again, wrong: refused answers must not log what was sent.
        bad = body(**{**{f"person__{k}": v for k, v in SEED.items()}, "person__nhs_number": "999 000 0035",
                      "referral__setting": "nowhere"})
        assert client.post("/api/v1/referrals", bad, content_type="application/json",
                           headers=headers).status_code >= 400
        assert client.post("/api/v1/referrals", b"{not json " + SEED["last_name"].encode(),
                           content_type="application/json", headers=headers).status_code == 400
        client.get(f"/api/v1/referrals/{reference}", headers=headers)
        client.get("/api/v1/referrals", headers=headers)
        client.get(f"/api/v1/referrals/{reference}", headers={"Authorization": "Bearer wrong"})

        referral = next(r for r in Referral.objects.all() if r.reference == reference)
        person = referral.person
        case = Case.objects.filter(person=person).first()
        assert case is not None and case.assigned_to is not None
        if case is not None:
            client.force_login(case.assigned_to)
            for url in (reverse("cases:detail", args=[case.pk]), reverse("cases:caseload")):
                assert client.get(url).status_code == 200
            client.post(reverse("cases:note", args=[case.pk]), {"text": "Spoke to Zebulonqx"})
            client.get(reverse("cases:detail", args=[case.pk + 100000]))  # not found: logged as a path only
        evaluator = make_user(Role.EVALUATOR)
        today = timezone.localdate()
        nhs = person.nhs_number
        dob = person.date_of_birth
        rows = [f"{nhs},{dob},{today - timedelta(days=a)},{today - timedelta(days=d)},emergency,0"
                for a, d in ((40, 35), (10, 12))]
        header = "nhs_number,date_of_birth,admission_date,discharge_date,admission_type,excess_bed_days\n"
        for n, lines in enumerate((rows[:1], rows)):  # accepted, then refused (discharge before admission)
            import_extract(SimpleUploadedFile(f"file{n}.csv", (header + "\n".join(lines) + "\n").encode()),
                           kind="admissions", file_format="csv", file_name=f"file{n}.csv", provider="NUH",
                           uploaded_by=evaluator)
    forms = identifier_forms(person) | {SEED["email"].lower(), SEED["phone"].replace(" ", "")}
    text = captured.text
    # The detector itself can fail: each seeded identifier, written as a log line would, is found.
    for value in (SEED["nhs_number"], "9990000034", SEED["last_name"], "17/02/1931", "ng79qz", SEED["email"]):
        assert leaks(f"INFO h2h.x Person {value} seen", forms), value
    assert len(text.strip()) > 0 and len(caplog.records) >= 3  # the run did log something to look through
    found = leaks(text, forms)
    figures = f"{len(caplog.records)} records, {len(text)} characters, {len(forms)} forms, {len(found)} found"
    request.node.user_properties.append(("I6 log figures", figures))
    assert found == [], (found, [line for line in text.splitlines() if leaks(line, forms)][:5])


def test_calendar_feed_tokens_never_reach_the_log_output(client, caplog):
    """I6 (ASVS 16.2.5): a calendar feed address (a bearer secret) requested with a wrong, a revoked-looking
    and a real token is logged, if at all, only as /calendar/feed/[redacted].ics by the project's handler."""
    user = make_user(Role.HHC)
    _, token = feed_create(user=user)
    tokens = [token, "not-a-real-token-xyz", token[:-2] + "QQ"]
    with _Captured(caplog) as captured:
        for t in tokens:
            client.get(reverse("calendar:feed", kwargs={"token": t}))
        # What Django's request logger writes for a 404 (the feed view already marks its answers logged).
        logging.getLogger("django.request").warning("Not Found: %s", f"/calendar/feed/{token}.ics")
        request_line = f"GET /calendar/feed/{tokens[1]}.ics HTTP/1.1"
        logging.getLogger("h2h.calendar").info('"%s" %s %s', request_line, 404, 9)
    output = captured.stream.getvalue()
    assert all(t not in captured.text for t in tokens)
    assert "/calendar/feed/[redacted].ics" in output
    for t in tokens:
        assert t not in output
