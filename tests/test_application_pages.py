"""The application pages: the coordinator's form and check page, the manager's queue and decision, the panel,
evidence upload and download, who gets "not found", and the audit trail."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.cases.models import Case
from h2h.cases.stages import Stage
from h2h.lettings import applications as apps
from h2h.lettings.models import Application, EvidenceFile
from tests.factories import make_case, make_org, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a consultant's letter\n%%EOF\n"
FORM = {
    "household_size": "2",
    "bedrooms_needed": "2",
    "access_needs": ["needs_step_free", "needs_level_access_shower"],
    "preferred_types": ["independent_living_flat", "bungalow"],
    "medical_evidence": "Heart failure; stairs at home cause breathlessness (GP letter, 2 May).",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def hhc():
    return make_user(Role.HHC)


@pytest.fixture
def manager():
    return make_user(Role.HOUSING_MANAGER)


@pytest.fixture
def case():
    return make_case(Stage.FIRST_VISIT, cohort="older_people")


def as_user(client, user):
    client.force_login(user)
    return client


def application_for(case, hhc, *, send=False):
    data = {"household_size": 1, "bedrooms_needed": 1, "medical_evidence": "COPD"}
    application = apps.application_create(case=case, by=hhc, data=data)
    if send:
        application = apps.application_submit(application=application, by=hhc)
    return application


def page(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------ the coordinator


def test_it_starts_the_form_with_the_cohorts_property_types_ticked(client, hhc, case):
    response = as_user(client, hhc).get(reverse("lettings:application-new", args=[case.pk]))
    assert response.status_code == 200
    html = page(response)
    assert 'value="independent_living_flat" checked' in html
    assert 'value="bungalow" checked' not in html


def test_it_shows_what_was_typed_with_an_error_summary_when_the_answers_are_wrong(client, hhc, case):
    response = as_user(client, hhc).post(reverse("lettings:application-new", args=[case.pk]),
                                         {**FORM, "household_size": "two", "bedrooms_needed": ""})
    assert response.status_code == 200
    html = page(response)
    assert "There is a problem" in html
    assert "The number of people must be a whole number" in html
    assert "Enter how many bedrooms they need" in html
    assert 'value="two"' in html
    assert "stairs at home cause breathlessness" in html
    assert 'value="bungalow" checked' in html
    assert not Application.objects.exists()


def test_it_takes_a_coordinator_from_the_form_through_check_your_answers_to_the_queue(client, hhc, case):
    client = as_user(client, hhc)
    response = client.post(reverse("lettings:application-new", args=[case.pk]), FORM)
    application = Application.objects.get(case=case)
    assert response.url == reverse("lettings:application-submit", args=[application.pk])
    assert (application.household_size, application.bedrooms_needed) == (2, 2)
    assert application.needs_step_free and application.needs_level_access_shower
    assert not application.needs_wheelchair_standard
    assert application.preferred_types == ["independent_living_flat", "bungalow"]

    check = page(client.get(response.url))
    assert "Check the application before sending it for sign-off" in check
    assert "Level-access shower" in check and "Bungalow" in check

    response = client.post(reverse("lettings:application-submit", args=[application.pk]))
    assert response.url == reverse("lettings:application-detail", args=[application.pk])
    assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED
    actions = set(AuditEvent.objects.filter(person_id=case.person_id, object_type="application")
                  .values_list("action", flat=True))
    assert {"create", "view", "change"} <= actions


def test_it_sends_a_second_visit_to_the_new_page_to_the_existing_application(client, hhc, case):
    application = application_for(case, hhc)
    response = as_user(client, hhc).get(reverse("lettings:application-new", args=[case.pk]))
    assert response.url == reverse("lettings:application-detail", args=[application.pk])


def test_it_explains_why_the_application_cannot_be_sent_without_medical_evidence(client, hhc, case):
    application = apps.application_create(case=case, by=hhc, data={"household_size": 1})
    response = as_user(client, hhc).post(reverse("lettings:application-submit", args=[application.pk]))
    assert response.status_code == 200
    assert "There is a problem" in page(response)
    assert "Add a summary of the medical evidence" in page(response)
    assert Application.objects.get(pk=application.pk).status == Application.Status.DRAFT


def test_it_shows_the_band_why_and_the_accelerated_effective_date(client, hhc, case):
    application = application_for(case, hhc)
    html = page(as_user(client, hhc).get(reverse("lettings:application-detail", args=[application.pk])))
    assert "Band A (urgent medical)" in html
    assert "(currently: Acute hospital)" in html
    assert "Set 12 months before the application date" in html
    assert f"{application.effective_date:%-d %B %Y}" in html
    views = AuditEvent.objects.filter(action="view", object_type="application", person_id=case.person_id)
    assert views.count() == 1


# ---------------------------------------------------------------------------------------- the manager


def test_it_lists_todays_applications_in_the_managers_queue(client, hhc, manager, case):
    application = application_for(case, hhc, send=True)
    html = page(as_user(client, manager).get(reverse("lettings:signoff-queue")))
    assert case.person.full_name in html
    assert "1 came in today" in html
    assert reverse("lettings:application-decide", args=[application.pk]) in html


def test_it_lets_the_manager_approve_from_the_queue(client, hhc, manager, case):
    application = application_for(case, hhc, send=True)
    client = as_user(client, manager)
    assert client.get(reverse("lettings:application-decide", args=[application.pk])).status_code == 200
    response = client.post(reverse("lettings:application-decide", args=[application.pk]),
                           {"decision": "approve"})
    assert response.url == reverse("lettings:signoff-queue")
    assert Application.objects.get(pk=application.pk).status == Application.Status.LIVE
    assert Case.objects.get(pk=case.pk).stage == Stage.APPLICATION_LIVE


def test_it_asks_for_reasons_before_returning(client, hhc, manager, case):
    application = application_for(case, hhc, send=True)
    client = as_user(client, manager)
    url = reverse("lettings:application-decide", args=[application.pk])
    response = client.post(url, {"decision": "return", "reason": ""})
    assert response.status_code == 200
    assert "There is a problem" in page(response)
    assert "Enter the reasons for returning the application" in page(response)
    response = client.post(url, {"decision": "return", "reason": "Attach the OT report"})
    assert response.status_code == 302
    returned = Application.objects.get(pk=application.pk)
    assert returned.status == Application.Status.RETURNED
    assert returned.returned_reason == "Attach the OT report"
    html = page(as_user(client, hhc).get(reverse("lettings:application-detail", args=[application.pk])))
    assert "Attach the OT report" in html


def test_it_shows_the_managers_refusal_in_the_error_summary(client, hhc, manager, case):
    application = application_for(case, hhc, send=True)
    Case.objects.filter(pk=case.pk).update(stage=Stage.SCREENED)
    response = as_user(client, manager).post(reverse("lettings:application-decide", args=[application.pk]),
                                             {"decision": "approve"})
    assert response.status_code == 200
    assert "first visit is not recorded" in page(response)


def test_it_keeps_coordinators_out_of_the_queue_and_the_decision(client, hhc, case):
    application = application_for(case, hhc, send=True)
    client = as_user(client, hhc)
    assert client.get(reverse("lettings:signoff-queue")).status_code == 404
    assert client.post(reverse("lettings:application-decide", args=[application.pk]),
                       {"decision": "approve"}).status_code == 404
    assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED


# ------------------------------------------------------------------------------------------- the panel


def test_it_records_the_panels_review_and_takes_it_off_the_list(client, hhc, manager, case):
    application = apps.application_approve(application=application_for(case, hhc, send=True), by=manager)
    client = as_user(client, manager)
    assert case.person.full_name in page(client.get(reverse("lettings:panel")))
    today = timezone.localdate()
    response = client.post(reverse("lettings:panel-review", args=[application.pk]), {
        "reviewed_on_day": today.day, "reviewed_on_month": today.month, "reviewed_on_year": today.year,
        "note": "Agreed",
    })
    assert response.url == reverse("lettings:panel")
    panel_page = page(client.get(reverse("lettings:panel")))
    assert reverse("lettings:panel-review", args=[application.pk]) not in panel_page
    assert Application.objects.get(pk=application.pk).panel_reviewed_on == today


# -------------------------------------------------------------------------------------------- evidence


def upload(client, application, name, content):
    return client.post(reverse("lettings:evidence-upload", args=[application.pk]),
                       {"file": SimpleUploadedFile(name, content)})


def test_it_uploads_a_pdf_and_serves_it_only_as_an_audited_attachment(client, hhc, case):
    application = application_for(case, hhc)
    client = as_user(client, hhc)
    response = upload(client, application, "letter.pdf", PDF)
    assert response.url == reverse("lettings:application-detail", args=[application.pk])
    evidence = EvidenceFile.objects.get()
    response = client.get(reverse("lettings:evidence-download", args=[application.pk, evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="export", object_type="evidence_file", object_id=str(evidence.pk),
                                     person_id=case.person_id).count() == 1


def test_it_shows_a_rejected_file_in_the_error_summary(client, hhc, case):
    application = application_for(case, hhc)
    response = upload(as_user(client, hhc), application, "letter.pdf", b"MZ\x90\x00 not a pdf")
    assert response.status_code == 200
    assert "There is a problem" in page(response)
    assert "not a real PDF" in page(response)
    assert not EvidenceFile.objects.exists()


def test_it_refuses_an_oversized_upload_before_reading_it(client, hhc, case, settings):
    settings.H2H_EVIDENCE_MAX_BYTES = 1024 * 1024
    application = application_for(case, hhc)
    response = upload(as_user(client, hhc), application, "big.pdf", PDF + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "must be smaller than 1 MB" in page(response)
    assert not EvidenceFile.objects.exists()


def test_it_checks_the_csrf_token_on_uploads(hhc, case):
    from django.test import Client

    application = application_for(case, hhc)
    client = Client(enforce_csrf_checks=True)
    client.force_login(hhc)
    response = upload(client, application, "letter.pdf", PDF)
    assert response.status_code == 403
    assert not EvidenceFile.objects.exists()


def test_it_gives_another_organisation_not_found_for_the_file_and_audits_nothing(client, hhc, case):
    application = application_for(case, hhc)
    evidence = apps.evidence_add(application=application, by=hhc,
                                 uploaded_file=SimpleUploadedFile("a.pdf", PDF))
    stranger = make_user(Role.HHC, organisation=make_org("OTH", kind="housing_provider"))
    response = as_user(client, stranger).get(reverse("lettings:evidence-download",
                                                     args=[application.pk, evidence.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


# ----------------------------------------------------------------------------------------- who sees what


@pytest.mark.parametrize("who", ["other_hhc", "other_manager", "referrer", "commissioner",
                                 "lettings_officer"])
def test_it_gives_people_outside_the_service_not_found(client, hhc, case, who):
    other = make_org("OTH", kind="housing_provider")
    user = {
        "other_hhc": lambda: make_user(Role.HHC, organisation=other),
        "other_manager": lambda: make_user(Role.HOUSING_MANAGER, organisation=other),
        "referrer": lambda: make_user(Role.REFERRER),
        "commissioner": lambda: make_user(Role.COMMISSIONER,
                                          organisation=make_org("ICB", kind="commissioner")),
        "lettings_officer": lambda: make_user(Role.LETTINGS_OFFICER),
    }[who]()
    application = application_for(case, hhc, send=True)
    evidence = apps.evidence_add(application=application, by=hhc,
                                 uploaded_file=SimpleUploadedFile("a.pdf", PDF))
    client = as_user(client, user)
    urls = [
        reverse("lettings:application-new", args=[case.pk]),
        reverse("lettings:application-detail", args=[application.pk]),
        reverse("lettings:application-edit", args=[application.pk]),
        reverse("lettings:application-submit", args=[application.pk]),
        reverse("lettings:application-decide", args=[application.pk]),
        reverse("lettings:panel-review", args=[application.pk]),
        reverse("lettings:evidence-upload", args=[application.pk]),
        reverse("lettings:evidence-download", args=[application.pk, evidence.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    # A manager elsewhere has queues of their own; this person is never on them.
    for url in (reverse("lettings:signoff-queue"), reverse("lettings:panel")):
        response = client.get(url)
        assert response.status_code == 404 or case.person.last_name not in page(response), url
    assert not AuditEvent.objects.filter(person_id=case.person_id, user=user).exists()


def test_it_sends_visitors_who_are_not_signed_in_to_sign_in(client, hhc, case):
    application = application_for(case, hhc)
    response = client.get(reverse("lettings:application-detail", args=[application.pk]))
    assert response.status_code == 302
    assert reverse("login") in response.url


# ------------------------------------------------------------------------------- on the case's own page


def render_case_panel(case, user):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    case = Case.objects.get(pk=case.pk)
    return render_to_string("lettings/applications/_case_panel.html", {"case": case}, request=request)


def test_it_offers_the_coordinator_a_start_button_on_the_case_page(hhc, manager, case):
    start = reverse("lettings:application-new", args=[case.pk])
    assert start in render_case_panel(case, hhc)
    assert start not in render_case_panel(case, manager)
    assert start not in render_case_panel(make_case(Stage.REFERRAL_RECEIVED), hhc)


def test_it_links_the_case_page_to_its_application(hhc, manager, case):
    application = application_for(case, hhc)
    for user in (hhc, manager):
        html = render_case_panel(case, user)
        assert reverse("lettings:application-detail", args=[application.pk]) in html
        assert "Draft" in html
