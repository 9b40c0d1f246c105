"""The fast-track application's rules: band, accelerator, sign-off, return, panel review, evidence files."""

import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.area.config import _cached
from h2h.cases.models import Case, CaseEvent
from h2h.cases.selectors import add_months
from h2h.cases.services import CaseActionRefused
from h2h.cases.stages import Stage
from h2h.lettings import applications as apps
from h2h.lettings.models import Application, EvidenceFile
from h2h.referrals.models import Referral
from tests.factories import NOTTINGHAM_TOML, make_case, make_org, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40
ANSWERS = {"household_size": 1, "bedrooms_needed": 1, "needs_step_free": True,
           "medical_evidence": "COPD; cannot manage the stairs at home (consultant letter, 3 March)."}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def hhc():
    return make_user(Role.HHC)


@pytest.fixture
def manager():
    return make_user(Role.HOUSING_MANAGER)


def case_at(stage=Stage.FIRST_VISIT, *, cohort="older_people", **referral):
    case = make_case(stage, cohort=cohort)
    if referral:
        Referral.objects.filter(pk=case.referral_id).update(**referral)
    return Case.objects.select_related("referral", "person").get(pk=case.pk)


def draft(hhc, case=None, **answers):
    return apps.application_create(case=case or case_at(), by=hhc, data={**ANSWERS, **answers})


def submitted(hhc, case=None):
    return apps.application_submit(application=draft(hhc, case), by=hhc)


def live(hhc, manager, case=None):
    return apps.application_approve(application=submitted(hhc, case), by=manager)


# ------------------------------------------------------------------------------------------------ band


def test_it_puts_someone_in_a_hospital_bed_in_band_a():
    decision = apps.band_for_case(case_at(setting="acute_hospital", reasons=["delayed_discharge"]))
    assert decision.band.code == "A"
    assert "Acute hospital" in decision.why


def test_it_puts_someone_at_home_with_disrepair_in_band_b():
    decision = apps.band_for_case(case_at(setting="community", reasons=["disrepair"]))
    assert decision.band.code == "B"
    assert "Disrepair" in decision.why


def test_it_gives_the_default_band_c_when_no_rule_applies():
    decision = apps.band_for_case(case_at(setting="community", reasons=["isolation"]))
    assert decision.band.code == "C"
    assert decision.band.default


def test_it_stores_the_band_on_the_application(hhc):
    application = draft(hhc, case_at(setting="community", reasons=["disrepair"]))
    assert application.band == "B"


# ------------------------------------------------------------------------------------------ accelerator


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 3, 15), -12, date(2024, 3, 15)),
    (date(2024, 2, 29), -12, date(2023, 2, 28)),
    (date(2025, 1, 31), -1, date(2024, 12, 31)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
    (date(2025, 1, 15), -13, date(2023, 12, 15)),
    (date(2025, 7, 10), -6, date(2025, 1, 10)),
])
def test_it_counts_months_backwards_correctly(day, months, expected):
    assert add_months(day, months) == expected


def test_it_sets_the_effective_date_exactly_12_months_before_the_application_date(hhc, monkeypatch):
    monkeypatch.setattr(apps.timezone, "localdate", lambda *a: date(2025, 3, 15))
    application = draft(hhc)
    assert application.application_date == date(2025, 3, 15)
    assert application.effective_date == date(2024, 3, 15)


def test_it_takes_the_accelerator_from_the_area_file(hhc, settings, tmp_path, monkeypatch):
    six = tmp_path / "six-months.toml"
    six.write_text(NOTTINGHAM_TOML.read_text().replace("accelerator_months = 12", "accelerator_months = 6"))
    settings.H2H_AREA_FILE = str(six)
    _cached.cache_clear()
    monkeypatch.setattr(apps.timezone, "localdate", lambda *a: date(2025, 3, 15))
    try:
        application = draft(hhc)
    finally:
        _cached.cache_clear()
    assert application.effective_date == date(2024, 9, 15)


# ---------------------------------------------------------------------------------------------- create


def test_it_starts_a_draft_from_the_case(hhc):
    case = case_at()
    application = draft(hhc, case)
    assert application.reference == f"H2H-APP-{case.pk}"
    assert application.applicant_name == case.person.full_name
    assert application.date_of_birth == case.person.date_of_birth
    assert application.status == Application.Status.DRAFT
    assert application.application_date == timezone.localdate()
    assert application.preferred_types == ["independent_living_flat"]  # the older-people cohort's
    assert application.needs_step_free is True


def test_it_keeps_the_property_types_the_coordinator_chose(hhc):
    application = draft(hhc, preferred_types=["bungalow", "flat"])
    assert application.preferred_types == ["bungalow", "flat"]


@pytest.mark.parametrize("role", [Role.REFERRER, Role.HOUSING_MANAGER, Role.LETTINGS_OFFICER,
                                  Role.COMMISSIONER])
def test_it_refuses_to_start_an_application_for_other_roles(role):
    with pytest.raises(CaseActionRefused):
        draft(make_user(role))


def test_it_refuses_a_coordinator_of_another_organisation():
    stranger = make_user(Role.HHC, organisation=make_org("OTH", kind="housing_provider"))
    with pytest.raises(CaseActionRefused):
        draft(stranger)


@pytest.mark.parametrize("stage", [Stage.REFERRAL_RECEIVED, Stage.APPLICATION_LIVE, Stage.CLOSED])
def test_it_refuses_an_application_outside_screened_and_first_visit(hhc, stage):
    with pytest.raises(CaseActionRefused, match="after screening"):
        draft(hhc, case_at(stage))


def test_it_refuses_a_second_application_for_a_case(hhc):
    case = case_at()
    draft(hhc, case)
    with pytest.raises(CaseActionRefused, match="already has"):
        draft(hhc, case)


def test_it_changes_only_the_answers_given(hhc):
    application = draft(hhc, preferred_types=["bungalow"])
    application = apps.application_update(application=application, by=hhc, data={"household_size": 2})
    assert application.household_size == 2
    assert application.preferred_types == ["bungalow"]
    assert application.medical_evidence == ANSWERS["medical_evidence"]


def test_it_refuses_changes_once_sent(hhc):
    application = submitted(hhc)
    with pytest.raises(CaseActionRefused, match="changed only"):
        apps.application_update(application=application, by=hhc, data={"household_size": 2})


# ---------------------------------------------------------------------------------------------- submit


def test_it_refuses_to_send_without_a_medical_evidence_summary(hhc):
    application = draft(hhc, medical_evidence="   ")
    with pytest.raises(CaseActionRefused, match="summary of the medical evidence"):
        apps.application_submit(application=application, by=hhc)


def test_it_refuses_to_send_before_the_first_visit_is_recorded(hhc):
    application = draft(hhc, case_at(Stage.SCREENED))
    with pytest.raises(CaseActionRefused, match="Record the first visit"):
        apps.application_submit(application=application, by=hhc)


def test_it_records_who_sent_it_and_when(hhc):
    application = submitted(hhc)
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_by == hhc
    assert application.submitted_at is not None


# -------------------------------------------------------------------------------------------- sign-off


def test_it_makes_the_application_and_the_case_live_on_sign_off(hhc, manager):
    application = live(hhc, manager)
    assert application.status == Application.Status.LIVE
    assert application.decided_by == manager
    case = Case.objects.get(pk=application.case_id)
    assert case.stage == Stage.APPLICATION_LIVE
    move = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.STAGE, to_stage=Stage.APPLICATION_LIVE)
    assert move.by == manager
    assert move.on == timezone.localdate()


def test_it_never_lets_the_sender_approve_their_own_application(hhc):
    application = submitted(hhc)
    hhc.role = Role.HOUSING_MANAGER  # promoted since sending it
    hhc.save()
    with pytest.raises(CaseActionRefused, match="another housing manager"):
        apps.application_approve(application=application, by=hhc)
    assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED


@pytest.mark.parametrize("role", [Role.HHC, Role.PROJECT_MANAGER, Role.ADMIN_OFFICER, Role.LETTINGS_OFFICER])
def test_it_lets_only_a_housing_manager_approve(hhc, role):
    application = submitted(hhc)
    with pytest.raises(CaseActionRefused, match="Only a housing manager"):
        apps.application_approve(application=application, by=make_user(role))


def test_it_refuses_a_housing_manager_of_another_organisation(hhc):
    application = submitted(hhc)
    outsider = make_user(Role.HOUSING_MANAGER, organisation=make_org("OTH", kind="housing_provider"))
    with pytest.raises(CaseActionRefused):
        apps.application_approve(application=application, by=outsider)


def test_it_refuses_sign_off_while_the_case_is_still_at_screened(hhc, manager):
    application = submitted(hhc)
    Case.objects.filter(pk=application.case_id).update(stage=Stage.SCREENED)
    with pytest.raises(CaseActionRefused, match="first visit is not recorded"):
        apps.application_approve(application=application, by=manager)
    assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED
    assert Case.objects.get(pk=application.case_id).stage == Stage.SCREENED


def test_it_tells_a_second_manager_who_already_approved(hhc, manager):
    application = live(hhc, manager)
    with pytest.raises(CaseActionRefused, match=f"{manager.display_name} has already approved"):
        apps.application_approve(application=application, by=make_user(Role.HOUSING_MANAGER))


def test_it_refuses_to_approve_a_draft(hhc, manager):
    with pytest.raises(CaseActionRefused, match="not waiting for sign-off"):
        apps.application_approve(application=draft(hhc), by=manager)


def test_it_needs_reasons_to_return_an_application(hhc, manager):
    application = submitted(hhc)
    with pytest.raises(CaseActionRefused, match="reasons"):
        apps.application_return(application=application, by=manager, reason="  ")


def test_it_returns_with_reasons_and_takes_it_again_once_changed(hhc, manager):
    application = submitted(hhc)
    application = apps.application_return(application=application, by=manager, reason="Add the OT report")
    assert application.status == Application.Status.RETURNED
    assert application.returned_reason == "Add the OT report"
    application = apps.application_update(application=application, by=hhc,
                                          data={**ANSWERS, "medical_evidence": "COPD; OT report attached"})
    application = apps.application_submit(application=application, by=hhc)
    assert application.status == Application.Status.SUBMITTED
    assert application.decided_by is None
    application = apps.application_approve(application=application, by=manager)
    assert application.status == Application.Status.LIVE
    titles = [e.payload["title"] for e in apps.application_history(application)]
    assert titles == ["Application started", "Sent for sign-off", "Returned to the coordinator",
                      "Sent again for sign-off", "Approved: application live"]


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_managers_deciding_at_once_win():
    hhc = make_user(Role.HHC)
    managers = [make_user(Role.HOUSING_MANAGER) for _ in range(2)]
    for _ in range(5):
        application = submitted(hhc)
        barrier = threading.Barrier(2)
        outcomes = []

        def decide(manager, action, application=application, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                action(manager)
                outcomes.append("won")
            except CaseActionRefused as refusal:
                outcomes.append(str(refusal))
            finally:
                connection.close()

        actions = [
            lambda m, a=application: apps.application_approve(application=a, by=m),
            lambda m, a=application: apps.application_return(application=a, by=m, reason="Missing letter"),
        ]
        threads = [threading.Thread(target=decide, args=pair) for pair in zip(managers, actions, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("won") == 1, outcomes
        assert any("already" in outcome for outcome in outcomes)


# ------------------------------------------------------------------------------------------------ panel


def test_it_lists_signed_off_applications_for_the_panel_until_reviewed(hhc, manager):
    application = live(hhc, manager)
    still_waiting = submitted(hhc)
    service_id = application.case.service_id
    assert list(apps.panel_queue(service_id)) == [application]
    apps.panel_review_record(application=application, by=manager, on=timezone.localdate(), note="Agreed")
    assert list(apps.panel_queue(service_id)) == []
    reviewed = Application.objects.get(pk=application.pk)
    assert (reviewed.panel_reviewed_by, reviewed.panel_note) == (manager, "Agreed")
    assert still_waiting.status == Application.Status.SUBMITTED


def test_it_lets_a_project_manager_record_the_panel_but_not_a_coordinator(hhc, manager):
    application = live(hhc, manager)
    with pytest.raises(CaseActionRefused):
        apps.panel_review_record(application=application, by=hhc, on=timezone.localdate())
    project_manager = make_user(Role.PROJECT_MANAGER)
    apps.panel_review_record(application=application, by=project_manager, on=timezone.localdate())


def test_it_refuses_a_second_review_a_future_date_and_an_unapproved_application(hhc, manager):
    application = live(hhc, manager)
    today = timezone.localdate()
    with pytest.raises(CaseActionRefused, match="future"):
        apps.panel_review_record(application=application, by=manager, on=today + timedelta(days=1))
    with pytest.raises(CaseActionRefused, match="before it was signed off"):
        apps.panel_review_record(application=application, by=manager, on=today - timedelta(days=1))
    apps.panel_review_record(application=application, by=manager, on=today)
    with pytest.raises(CaseActionRefused, match="already reviewed"):
        apps.panel_review_record(application=application, by=manager, on=today)
    with pytest.raises(CaseActionRefused, match="once they are signed off"):
        apps.panel_review_record(application=submitted(hhc), by=manager, on=today)


# ---------------------------------------------------------------------------------- queue and measures


def test_it_queues_the_longest_waiting_first_and_marks_what_came_in_today(hhc):
    older, newer = submitted(hhc), submitted(hhc)
    Application.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    rows = apps.signoff_queue(older.case.service_id)
    assert [r.application.pk for r in rows] == [older.pk, newer.pk]
    assert [r.came_in_today for r in rows] == [False, True]
    assert rows[0].waited >= timedelta(days=2)


def test_it_measures_submission_to_live_and_its_median(hhc, manager):
    waits = [timedelta(hours=1), timedelta(hours=3), timedelta(hours=8)]
    for wait in waits:
        application = live(hhc, manager)
        Application.objects.filter(pk=application.pk).update(submitted_at=application.decided_at - wait)
        assert apps.submission_to_live(Application.objects.get(pk=application.pk)) == wait
    assert apps.median_submission_to_live(application.case.service_id) == timedelta(hours=3)
    assert apps.submission_to_live(submitted(hhc)) is None


def test_it_has_no_median_before_anything_is_approved():
    assert apps.median_submission_to_live() is None


@pytest.mark.parametrize(("span", "words"), [
    (timedelta(seconds=20), "less than a minute"),
    (timedelta(minutes=65), "1 hour 5 minutes"),
    (timedelta(days=2, hours=4, minutes=9), "2 days 4 hours"),
])
def test_it_writes_waits_in_words(span, words):
    assert apps.duration_words(span) == words


# -------------------------------------------------------------------------------------------- evidence


def test_it_keeps_a_real_pdf_under_a_generated_name_in_media_root(hhc, settings):
    application = draft(hhc)
    evidence = apps.evidence_add(application=application, by=hhc,
                                 uploaded_file=SimpleUploadedFile("../../etc/Consultant letter.pdf", PDF))
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "Consultant letter.pdf"
    stored = Path(evidence.file.path)
    assert Path(settings.MEDIA_ROOT).resolve() in stored.resolve().parents
    assert "Consultant" not in stored.name and stored.suffix == ".pdf"
    assert stored.read_bytes() == PDF


@pytest.mark.parametrize(("name", "content", "message"), [
    ("letter.pdf", EXE, "not a real PDF"),
    ("scan.pdf", PNG, "not a real PDF"),
    ("photo.png", PDF, "not a real PNG"),
    ("setup.exe", EXE, "PDF, JPG or PNG"),
    ("letter.pdf.exe", PDF, "PDF, JPG or PNG"),
    ("notes.html", b"<script>alert(1)</script>", "PDF, JPG or PNG"),
    ("empty.pdf", b"", "empty"),
])
def test_it_refuses_files_whose_name_or_contents_are_not_allowed(hhc, name, content, message):
    application = draft(hhc)
    with pytest.raises(CaseActionRefused, match=message):
        apps.evidence_add(application=application, by=hhc, uploaded_file=SimpleUploadedFile(name, content))
    assert not EvidenceFile.objects.exists()


def test_it_refuses_a_file_over_the_configured_size(hhc, settings):
    settings.H2H_EVIDENCE_MAX_BYTES = 1024 * 1024
    application = draft(hhc)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(CaseActionRefused, match="smaller than 1 MB"):
        apps.evidence_add(application=application, by=hhc, uploaded_file=big)


def test_it_accepts_jpeg_and_png(hhc):
    application = draft(hhc)
    jpeg = apps.evidence_add(application=application, by=hhc,
                             uploaded_file=SimpleUploadedFile("x.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20))
    png = apps.evidence_add(application=application, by=hhc, uploaded_file=SimpleUploadedFile("x.png", PNG))
    assert (jpeg.content_type, png.content_type) == ("image/jpeg", "image/png")


def test_it_refuses_evidence_from_a_referrer(hhc):
    application = draft(hhc)
    with pytest.raises(CaseActionRefused):
        apps.evidence_add(application=application, by=make_user(Role.REFERRER),
                          uploaded_file=SimpleUploadedFile("x.pdf", PDF))


def test_it_refuses_to_store_evidence_inside_a_static_folder(hhc, settings):
    settings.MEDIA_ROOT = str(Path(settings.STATIC_ROOT) / "media")
    application = draft(hhc)
    with pytest.raises(ImproperlyConfigured):
        apps.evidence_add(application=application, by=hhc, uploaded_file=SimpleUploadedFile("x.pdf", PDF))
