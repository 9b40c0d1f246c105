"""The referrals API: made as the web form makes them, read back as a coarse status, seen only by the
organisation that made them.

h2h/api/routers/referrals.py and h2h/api/status.py.
"""

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.api.services import client_create
from h2h.api.status import referral_status
from h2h.audit.models import AuditEvent
from h2h.cases.models import Case
from h2h.cases.stages import ClosingReason, Stage
from h2h.referrals.models import Person, Referral
from tests.factories import TEST_NHS_NUMBERS, make_case, make_org, make_person, make_user, referrer_org

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals"


def bearer(role=Role.REFERRER, organisation=None) -> dict:
    """Authorization header of a new API client acting in `role` (referrers at NUH unless told)."""
    _, token = client_create(name=f"{role} system", organisation=organisation or referrer_org(), role=role,
                             by=make_user(Role.ADMINISTRATOR))
    return {"Authorization": f"Bearer {token}"}


def body(**changes) -> dict:
    """A valid referral as JSON; changes are person__field or referral__field = value (None removes it)."""
    today = timezone.localdate()
    data = {
        "person": {
            "first_name": "Ada", "last_name": "Apiperson", "date_of_birth": "1950-03-27",
            "nhs_number": "999 000 0018", "address_line_1": "1 Test Street", "town": "Nottingham",
            "postcode": "ng7 2uh", "phone": "", "email": "",
        },
        "referral": {
            "setting": "acute_hospital", "hospital": "Queen's Medical Centre", "ward": "C52",
            "admission_date": str(today - timedelta(days=20)),
            "medically_ready_date": str(today - timedelta(days=5)),
            "reasons": ["accessibility", "delayed_discharge"], "housing_details": "Stairs to the front door",
            "tenure": "council_tenant", "household_size": 1, "household_details": "", "has_carer": False,
            "carer_details": "", "mobility": "walking_aid", "wheelchair_use": "occasional",
            "benefits": ["attendance_allowance"], "referrer_name": "Rita Referrer",
            "referrer_role": "Discharge coordinator", "referrer_phone": "0115 000 0000", "referrer_email": "",
            "consent": "given", "consent_sharing": ["housing", "health"], "consent_decision_maker": "",
            "consent_notes": "",
        },
    }
    data = copy.deepcopy(data)
    for key, value in changes.items():
        section, name = key.split("__")
        if value is None:
            data[section].pop(name)
        else:
            data[section][name] = value
    return data


def post(client, headers, data):
    return client.post(URL, data, content_type="application/json", headers=headers)


def fields(response) -> set[str]:
    assert response["Content-Type"] == "application/problem+json"
    return {error["field"] for error in response.json()["errors"]}


# --- making a referral -------------------------------------------------------------------------------------

def test_a_valid_referral_is_saved_as_the_web_form_saves_it_and_audited_with_the_person(client):
    make_user(Role.HHC)  # someone to allocate the case to
    response = post(client, bearer(), body())
    assert response.status_code == 201, response.content
    answer = response.json()
    referral = Referral.objects.get()
    assert answer["reference"] == referral.reference and answer["status"] == "received"
    assert referral.received_via == Referral.ReceivedVia.API
    assert referral.referrer_organisation == referrer_org()
    assert referral.person.postcode == "NG7 2UH" and referral.person.nhs_number == TEST_NHS_NUMBERS[0]
    assert referral.case.stage == Stage.REFERRAL_RECEIVED and referral.case.assigned_to is not None
    event = AuditEvent.objects.get(object_type="referral", action="create")
    assert event.person_id == referral.person_id and event.object_id == str(referral.pk)


def test_every_answer_at_fault_is_named_and_nothing_is_saved(client):
    response = post(client, bearer(), body(
        person__nhs_number="999 000 0019",  # fails the modulus-11 check
        person__postcode="NG7 ZZZ9",
        referral__reasons=["not_a_reason"],
        referral__consent_sharing=["health"],  # not the housing provider: the service cannot help
        referral__household_size=40,
        referral__setting="community",  # at home, yet with admission dates
    ))
    assert response.status_code == 422
    assert fields(response) >= {"person.nhs_number", "person.postcode", "referral.reasons",
                                "referral.consent_sharing", "referral.household_size", "referral.setting"}
    assert response.json()["status"] == 422
    assert not Referral.objects.exists() and not Person.objects.exists()


def test_a_best_interests_decision_needs_the_decision_maker(client):
    response = post(client, bearer(), body(referral__consent="best_interests"))
    assert response.status_code == 422 and fields(response) == {"referral.consent_decision_maker"}


@pytest.mark.parametrize(("change", "field"), [
    ({"person__first_name": None}, "person.first_name"),
    ({"person__date_of_birth": "27/03/1950"}, "person.date_of_birth"),
    ({"person__date_of_birth": 0}, "person.date_of_birth"),
    ({"person__date_of_birth": "2199-01-01"}, "person.date_of_birth"),  # the form's "today or in the past"
    ({"person__nhs_no": "9990000018"}, "person.nhs_no"),  # a misspelt field is not silently dropped
    ({"referral__consent": None}, "referral.consent"),
    ({"referral__has_carer": "perhaps"}, "referral.has_carer"),
    ({"referral__tenure": "castle"}, "referral.tenure"),
    ({"person__town": "Notting\x00ham"}, "person.town"),
])
def test_a_missing_misspelt_or_mistyped_answer_is_named(client, change, field):
    response = post(client, bearer(), body(**change))
    assert response.status_code == 422
    assert field in fields(response)


@pytest.mark.parametrize("raw", ["{not json", '{"person": "\\ud800"}', ""])
def test_a_body_that_is_not_json_is_a_400_problem(client, raw):
    response = client.post(URL, raw, content_type="application/json", headers=bearer())
    assert response.status_code == (422 if raw == "" else 400)
    assert response["Content-Type"] == "application/problem+json"


def test_a_body_over_the_size_limit_is_a_400_problem(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(client, bearer(), body(referral__housing_details="x" * 2000))
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert not Referral.objects.exists()


def test_a_referral_for_someone_with_an_open_case_is_linked_to_it(client):
    person = make_person(nhs_number=TEST_NHS_NUMBERS[0], first_name="Ada", last_name="Apiperson")
    open_case = make_case(Stage.FIRST_VISIT, person=person)
    response = post(client, bearer(), body())
    assert response.status_code == 201
    assert response.json()["status"] == "linked"
    referral = Referral.objects.get(received_via=Referral.ReceivedVia.API)
    assert referral.case == open_case and referral.linked_to_open_case
    assert Case.objects.count() == 1


# --- reading it back ---------------------------------------------------------------------------------------

def test_the_status_is_read_back_by_reference(client):
    headers = bearer()
    made = post(client, headers, body()).json()
    response = client.get(f"{URL}/{made['reference']}", headers=headers)
    assert response.status_code == 200
    assert response.json() == made
    assert AuditEvent.objects.filter(object_type="referral", action="view").exclude(person_id=None).exists()


def test_another_organisations_referral_is_not_found_exactly_like_no_referral(client):
    other = bearer(organisation=make_org("SFH"))
    made = post(client, other, body()).json()
    headers = bearer()
    theirs = client.get(f"{URL}/{made['reference']}", headers=headers)
    missing = client.get(f"{URL}/R999999", headers=headers)
    garbage = client.get(f"{URL}/x1", headers=headers)
    assert theirs.status_code == missing.status_code == garbage.status_code == 404
    assert theirs.json() == missing.json() == garbage.json()
    assert theirs["Content-Type"] == "application/problem+json"
    assert client.get(URL, headers=headers).json()["count"] == 0


def test_the_list_is_the_organisations_referrals_newest_first(client):
    headers = bearer()
    first = post(client, headers, body()).json()
    second = post(client, headers, body(person__first_name="Bea", person__nhs_number="")).json()
    post(client, bearer(organisation=make_org("SFH")), body(person__first_name="Cy", person__nhs_number=""))
    page = client.get(URL, headers=headers).json()
    assert page["count"] == 2 and page["page"] == 1
    assert [r["reference"] for r in page["items"]] == [second["reference"], first["reference"]]
    assert client.get(f"{URL}?page=2", headers=headers).json()["items"] == []
    assert client.get(f"{URL}?page=0", headers=headers).status_code == 422


def test_the_status_never_shows_what_the_referral_said(client):
    headers = bearer()
    secret = "Canary-7f3a-housing-detail"
    post(client, headers, body(referral__housing_details=secret, referral__ward=secret + "-ward",
                               person__last_name="Zzcanaryname"))
    reference = Referral.objects.get().reference
    for url in (URL, f"{URL}/{reference}"):
        text = client.get(url, headers=headers).content.decode()
        for leaked in (secret, "Zzcanaryname", "acute_hospital", "accessibility", "NG7", "1950"):
            assert leaked not in text, (url, leaked)


@pytest.mark.parametrize(("method", "path"), [("post", URL), ("get", URL), ("get", f"{URL}/R000001")])
@pytest.mark.parametrize("role", [Role.LETTINGS_OFFICER, Role.EVALUATOR, Role.COMMISSIONER])
def test_other_roles_are_refused_with_a_403_problem(client, method, path, role):
    headers = bearer(role, organisation=make_org("NCH"))
    if method == "post":
        response = post(client, headers, body())
    else:
        response = client.get(path, headers=headers)
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert not Referral.objects.exists()


# --- the coarse status -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("stage", "closing", "decision", "code"), [
    (Stage.REFERRAL_RECEIVED, "", "", "received"),
    (Stage.SCREENED, "", "accepted", "accepted"),
    (Stage.OFFER, "", "accepted", "accepted"),
    (Stage.CLOSED, ClosingReason.NOT_ELIGIBLE, "declined", "declined"),
    (Stage.TENANCY_START, "", "accepted", "rehoused"),
    (Stage.FOLLOW_UP_6M, "", "accepted", "rehoused"),
    (Stage.CLOSED, ClosingReason.REHOUSED, "accepted", "rehoused"),
    (Stage.CLOSED, ClosingReason.DIED, "accepted", "closed"),
])
def test_each_stage_gives_one_coarse_status(stage, closing, decision, code):
    case = make_case(stage, closing_reason=closing)
    Case.objects.filter(pk=case.pk).update(decision=decision)
    referral = Referral.objects.select_related("case").get(pk=case.referral_id)
    got, label, updated_on = referral_status(referral)
    assert got == code and updated_on == case.stage_changed_on
    assert "died" not in label.lower()  # the closing reason is not the referrer's system's business


def test_a_linked_referral_follows_its_case(client):
    case = make_case(Stage.TENANCY_START)
    person = case.person
    post(client, bearer(), body(person__first_name=person.first_name, person__last_name=person.last_name,
                                person__date_of_birth=str(person.date_of_birth), person__nhs_number=""))
    referral = Referral.objects.get(received_via=Referral.ReceivedVia.API)
    code, label, _ = referral_status(referral)
    assert code == "linked" and "rehoused" in label
