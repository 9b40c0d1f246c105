"""Health and wellbeing surveys: the form (errors, values kept, declined vs not answered), check your answers,
who may record and see them, audit, when each survey is due, the paired change and summary on a hand-made set,
the results page's suppression, the licensed wording, and the demo surveys."""

import dataclasses
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.support.models import Visit
from h2h.surveys.models import LicensedWording, Survey, SurveyAnswer
from h2h.surveys.selectors import paired_changes, survey_summary
from h2h.surveys.services import SurveyRefused, survey_decline, survey_record
from tests.factories import make_case, make_org, make_user

pytestmark = pytest.mark.django_db

ANSWERED, DECLINED, NOT_ANSWERED = "answered", "declined", "not_answered"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def hhc():
    return make_user(Role.HHC)


def case_at(stage=Stage.FIRST_VISIT, *, has_carer=False, hhc=None, days_ago=5) -> Case:
    case = make_case(stage, assigned_to=hhc, cohort="older_people", days_ago=days_ago)
    if has_carer:
        case.referral.has_carer = True
        case.referral.save(update_fields=["has_carer"])
    return case


def record_url(case, timepoint="baseline", respondent="person"):
    return reverse("surveys:record", args=[case.pk, timepoint, respondent])


def post_data(day, action="check", **answers) -> dict:
    data = {"action": action, "completed_on_day": str(day.day), "completed_on_month": str(day.month),
            "completed_on_year": str(day.year)} if day else {"action": action}
    data.update({key: str(value) for key, value in answers.items()})
    return data


def eq5d(state: str) -> dict:
    return {f"eq5d_{dim}": int(level) for dim, level in zip(("mo", "sc", "ua", "pd", "ad"), state, strict=True)}


def answers_of(state: str = "", **values) -> dict:
    """Answers for survey_record: EQ-5D state digits, then item=value, item=DECLINED or item=NOT_ANSWERED."""
    out = {code: (ANSWERED, v) for code, v in eq5d(state).items()} if state else {}
    for code, value in values.items():
        out[code] = (value, None) if value in (DECLINED, NOT_ANSWERED) else (ANSWERED, value)
    return out


def swemwbs(level) -> dict:
    return {f"swemwbs_{n}": level for n in range(1, 8)}


# ------------------------------------------------------------------------------------------------- the form


def test_a_survey_is_checked_then_saved_with_declined_and_not_answered_kept_apart(client, hhc, today):
    case = case_at(hhc=hhc)
    client.force_login(hhc)
    data = post_data(today, **eq5d("22222"), eq_vas_declined="on", **{**swemwbs(4), "swemwbs_3": "declined"},
                     life_satisfaction=0, social_contact=1, feeling_safe="declined")
    del data["swemwbs_5"]  # left blank: not answered
    check = client.post(record_url(case), data)
    page = check.content.decode()
    assert check.status_code == 200 and "Check your answers" in page
    assert not Survey.objects.exists()  # nothing is stored before "Save"
    assert "Declined to answer" in page and "Not answered" in page and "0.701" in page

    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    saved = client.post(record_url(case), {**hidden, "action": "save"})
    assert saved.status_code == 302 and saved["Location"] == reverse("surveys:case", args=[case.pk])

    survey = Survey.objects.get(case=case, timepoint="baseline", respondent="person")
    answers = {a.item: (a.status, a.value) for a in survey.answers.all()}
    assert answers["eq5d_mo"] == (ANSWERED, 2)
    assert answers["eq_vas"] == (DECLINED, None)
    assert answers["swemwbs_3"] == (DECLINED, None)
    assert answers["swemwbs_5"] == (NOT_ANSWERED, None)
    assert answers["feeling_safe"] == (DECLINED, None)
    assert answers["life_satisfaction"] == (ANSWERED, 0)  # a real 0 stays 0
    assert answers["managing_health"] == (NOT_ANSWERED, None)
    assert "satisfaction" not in answers  # asked at follow-up only
    assert not SurveyAnswer.objects.exclude(status=ANSWERED).exclude(value=None).exists()
    assert survey.value_set == "england-2018" and survey.eq5d_index == Decimal("0.701")
    assert survey.eq_vas is None and survey.swemwbs_raw is None and survey.swemwbs_metric is None
    assert survey.recorded_by == hhc and survey.completed_on == today


def test_errors_are_named_and_the_answers_kept(client, hhc):
    case = case_at(hhc=hhc)
    client.force_login(hhc)
    response = client.post(record_url(case), post_data(None, eq5d_mo=9, eq5d_sc=3, eq_vas=150, swemwbs_2=4))
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter date of the survey" in page
    assert "Select an answer for EQ-5D: mobility, or ‘Declined to answer’" in page
    assert "EQ VAS: self-rated health today must be a whole number from 0 to 100" in page
    assert 'href="#id_eq5d_mo_0"' in page and 'href="#id_eq_vas"' in page
    assert 'name="eq5d_sc" type="radio" value="3" checked' in page
    assert 'name="swemwbs_2" type="radio" value="4" checked' in page
    assert 'value="150"' in page
    assert not Survey.objects.exists()


def test_a_number_cannot_be_both_given_and_declined(client, hhc, today):
    case = case_at(hhc=hhc)
    client.force_login(hhc)
    page = client.post(record_url(case), post_data(today, eq_vas=60, eq_vas_declined="on")).content.decode()
    assert "Enter EQ VAS: self-rated health today or select ‘Declined to answer’, not both" in page


def test_a_survey_with_no_answer_at_all_is_refused(client, hhc, today):
    case = case_at(hhc=hhc)
    client.force_login(hhc)
    page = client.post(record_url(case), post_data(today)).content.decode()
    assert "Enter at least one answer" in page
    assert not Survey.objects.exists()


def test_change_on_the_check_page_returns_to_the_form_with_the_answers(client, hhc, today):
    case = case_at(hhc=hhc)
    client.force_login(hhc)
    page = client.post(record_url(case), post_data(today, action="change", eq5d_ad=4, eq_vas=35)).content.decode()
    assert 'name="eq5d_ad" type="radio" value="4" checked' in page and 'value="35"' in page
    assert "There is a problem" not in page and not Survey.objects.exists()


def test_a_saved_survey_can_be_corrected_and_the_change_is_audited(client, hhc, today):
    case = case_at(hhc=hhc)
    survey, created = survey_record(case=case, timepoint="baseline", respondent="person", completed_on=today,
                                    answers=answers_of("11111", eq_vas=80), by=hhc)
    assert created
    client.force_login(hhc)
    form = client.get(record_url(case)).content.decode()
    assert 'name="eq5d_mo" type="radio" value="1" checked' in form and 'value="80"' in form
    response = client.post(record_url(case), post_data(today, action="save", **eq5d("33333"), eq_vas=40))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.eq5d_index == Decimal("0.593") and survey.eq_vas == 40
    assert Survey.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, object_type="survey", object_id=str(survey.pk),
                                     person_id=case.person_id).exists()


def test_a_survey_keeps_its_value_set_and_a_3l_set_offers_three_levels(client, hhc, today, monkeypatch):
    area = get_area()
    three_l = dataclasses.replace(area, outcomes=dataclasses.replace(area.outcomes, eq5d_value_set="uk-3l-dolan-1997"))
    monkeypatch.setattr("h2h.surveys.services.get_area", lambda: three_l)
    case = case_at(hhc=hhc)
    client.force_login(hhc)
    form = client.get(record_url(case)).content.decode()
    assert 'name="eq5d_mo" type="radio" value="3"' in form
    assert 'name="eq5d_mo" type="radio" value="4"' not in form
    with pytest.raises(SurveyRefused, match="from 1 to 3"):
        survey_record(case=case, timepoint="baseline", respondent="person", completed_on=today,
                      answers=answers_of("11114"), by=hhc)
    survey, _ = survey_record(case=case, timepoint="baseline", respondent="person", completed_on=today,
                              answers=answers_of("11112"), by=hhc)
    assert (survey.value_set, survey.eq5d_index) == ("uk-3l-dolan-1997", Decimal("0.848"))
    monkeypatch.undo()  # the area goes back to a 5L set; the saved survey is still re-scored with its own
    survey, _ = survey_record(case=case, timepoint="baseline", respondent="person", completed_on=today,
                              answers=answers_of("22222"), by=hhc)
    assert (survey.value_set, survey.eq5d_index) == ("uk-3l-dolan-1997", Decimal("0.516"))


def test_the_whole_survey_can_be_declined_with_a_reason(client, hhc, today):
    case = case_at(hhc=hhc)
    survey_record(case=case, timepoint="baseline", respondent="person", completed_on=today,
                  answers=answers_of("22222"), by=hhc)
    client.force_login(hhc)
    url = reverse("surveys:decline", args=[case.pk, "baseline", "person"])
    missing = client.post(url, post_data(today, reason="")).content.decode()
    assert "Say why the survey was declined" in missing
    assert client.post(url, post_data(today, reason="Did not want to")).status_code == 302
    survey = Survey.objects.get(case=case)
    assert survey.declined and survey.declined_reason == "Did not want to"
    assert survey.eq5d_index is None and not survey.answers.exists()
    page = client.get(reverse("surveys:case", args=[case.pk])).content.decode()
    assert "Declined" in page and "Did not want to" in page


# ----------------------------------------------------------------------------------------- when it is due


def test_the_baseline_is_not_due_before_the_first_visit(client, hhc, today):
    case = case_at(Stage.SCREENED, hhc=hhc)
    with pytest.raises(SurveyRefused, match="Not yet due"):
        survey_record(case=case, timepoint="baseline", respondent="person", completed_on=today,
                      answers=answers_of("11111"), by=hhc)
    client.force_login(hhc)
    response = client.get(record_url(case), follow=True)
    assert response.redirect_chain[-1][0] == reverse("surveys:case", args=[case.pk])
    assert "Not yet due" in response.content.decode()


def test_a_closed_case_that_had_its_first_visit_can_have_its_baseline(hhc, today):
    case = case_at(Stage.CLOSED, hhc=hhc)
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.STAGE, from_stage=Stage.SCREENED,
                             to_stage=Stage.FIRST_VISIT, on=today - timedelta(days=8), by=hhc)
    survey, _ = survey_record(case=case, timepoint="baseline", respondent="person", completed_on=today,
                              answers=answers_of("11111"), by=hhc)
    assert survey.eq5d_index == 1


def test_the_follow_up_is_due_once_the_six_month_visit_is_due_or_done(hhc, today):
    case = case_at(Stage.FOLLOW_UP_2W, hhc=hhc)
    visit = Visit.objects.create(case=case, kind=Visit.Kind.SIX_MONTH, due_on=today + timedelta(days=20), owner=hhc)
    follow_up = {"case": case, "timepoint": "follow_up", "respondent": "person", "completed_on": today,
                 "answers": answers_of("11111", satisfaction=10), "by": hhc}
    with pytest.raises(SurveyRefused, match="Not yet due"):
        survey_record(**follow_up)
    visit.due_on = today
    visit.save()
    survey, _ = survey_record(**follow_up)
    assert survey.answers.get(item="satisfaction").value == 10


def test_dates_in_the_future_or_before_the_referral_are_refused(hhc, today):
    case = case_at(hhc=hhc)
    for day, message in ((today + timedelta(days=1), "future"), (case.referred_on - timedelta(days=1), "referral")):
        with pytest.raises(SurveyRefused, match=message):
            survey_record(case=case, timepoint="baseline", respondent="person", completed_on=day,
                          answers=answers_of("11111"), by=hhc)


def test_a_carer_survey_needs_a_carer_and_asks_life_satisfaction_only(client, hhc, today):
    no_carer = case_at(hhc=hhc)
    with pytest.raises(SurveyRefused, match="carer"):
        survey_record(case=no_carer, timepoint="baseline", respondent="carer", completed_on=today,
                      answers={"life_satisfaction": (ANSWERED, 5)}, by=hhc)
    case = case_at(hhc=hhc, has_carer=True)
    with pytest.raises(SurveyRefused, match="not asked"):
        survey_record(case=case, timepoint="baseline", respondent="carer", completed_on=today,
                      answers=answers_of("11111", life_satisfaction=5), by=hhc)
    client.force_login(hhc)
    form = client.get(record_url(case, respondent="carer")).content.decode()
    assert 'name="life_satisfaction"' in form and 'name="eq5d_mo"' not in form


# ---------------------------------------------------------------------------------------- access and audit


@pytest.mark.parametrize("role", [Role.REFERRER, Role.COMMISSIONER, Role.LETTINGS_OFFICER, Role.EVALUATOR,
                                  Role.HOUSING_MANAGER, Role.ADMINISTRATOR])
def test_people_outside_the_work_see_no_survey(client, role, hhc, today):
    case = case_at(hhc=hhc)
    survey_record(case=case, timepoint="baseline", respondent="person", completed_on=today,
                  answers=answers_of("11111"), by=hhc)
    client.force_login(make_user(role))
    for url in (reverse("surveys:case", args=[case.pk]), record_url(case),
                reverse("surveys:decline", args=[case.pk, "baseline", "person"])):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(record_url(case), post_data(today, action="save", eq5d_mo=2)).status_code in (403, 404)
    assert Survey.objects.get().answers.get(item="eq5d_mo").value == 1


def test_another_services_coordinator_gets_not_found(client, hhc, today):
    case = case_at(hhc=hhc)
    client.force_login(make_user(Role.HHC, organisation=make_org("OTHER")))
    assert client.get(reverse("surveys:case", args=[case.pk])).status_code == 404
    assert client.post(record_url(case), post_data(today, action="save", eq5d_mo=2)).status_code == 404
    assert not Survey.objects.exists()


def test_the_project_manager_sees_surveys_but_records_none(client, hhc, today):
    case = case_at(hhc=hhc)
    client.force_login(make_user(Role.PROJECT_MANAGER))
    assert client.get(reverse("surveys:case", args=[case.pk])).status_code == 200
    assert client.get(record_url(case)).status_code == 404


def test_admin_support_can_key_a_paper_survey(client, hhc, today):
    case = case_at(hhc=hhc)
    officer = make_user(Role.ADMIN_OFFICER)
    client.force_login(officer)
    assert client.post(record_url(case), post_data(today, action="save", eq5d_mo=2)).status_code == 302
    assert Survey.objects.get().recorded_by == officer


def test_every_view_and_write_is_audited_with_the_person(client, hhc, today):
    case = case_at(hhc=hhc)
    client.force_login(hhc)
    client.get(record_url(case))
    client.post(record_url(case), post_data(today, action="save", eq5d_mo=2))
    client.get(reverse("surveys:case", args=[case.pk]))
    survey = Survey.objects.get()
    events = AuditEvent.objects.filter(person_id=case.person_id)
    assert events.filter(action=AuditEvent.Action.VIEW, object_type="case").count() >= 2
    assert events.filter(action=AuditEvent.Action.CREATE, object_type="survey",
                         object_id=str(survey.pk)).exists()
    assert events.filter(action=AuditEvent.Action.LIST, object_type="survey").exists()


def test_the_case_page_links_to_the_surveys_and_the_visit_page_to_the_follow_up(client, hhc, today):
    case = case_at(Stage.FOLLOW_UP_2W, hhc=hhc)
    visit = Visit.objects.create(case=case, kind=Visit.Kind.SIX_MONTH, due_on=today, owner=hhc)
    client.force_login(hhc)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("surveys:case", args=[case.pk]) in detail
    page = client.get(reverse("support:visit", args=[visit.pk])).content.decode()
    assert record_url(case, "follow_up") in page and "not available yet" not in page


def test_the_case_page_shows_not_yet_due_and_due(client, hhc):
    case = case_at(hhc=hhc)
    client.force_login(hhc)
    page = client.get(reverse("surveys:case", args=[case.pk])).content.decode()
    assert "Not yet due" in page  # the follow-up
    assert record_url(case) in page  # the baseline is due
    assert "Shown once both surveys are recorded" in page


# ------------------------------------------------------------------------------ paired change and summary


def _q(value, places="0.001") -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@pytest.fixture
def surveyed(hhc, today):
    """Five cases. A, B, C have both surveys; D a follow-up only; E a baseline and a declined follow-up.
    A also has a carer surveyed twice."""
    cases = {name: case_at(Stage.FOLLOW_UP_6M, hhc=hhc, has_carer=name == "A") for name in "ABCDE"}
    before, after = today - timedelta(days=30), today - timedelta(days=2)

    def record(name, timepoint, answers, respondent="person"):
        survey_record(case=cases[name], timepoint=timepoint, respondent=respondent, by=hhc,
                      completed_on=before if timepoint == "baseline" else after, answers=answers)

    record("A", "baseline", answers_of("22222", eq_vas=50, **swemwbs(3), life_satisfaction=4, feeling_safe=3,
                                       social_contact=2))
    record("A", "follow_up", answers_of("11111", eq_vas=70, **swemwbs(4), life_satisfaction=7, feeling_safe=1,
                                        social_contact=1, satisfaction=10, could_not_have_moved=1))
    record("A", "baseline", {"life_satisfaction": (ANSWERED, 5)}, respondent="carer")
    record("A", "follow_up", {"life_satisfaction": (ANSWERED, 7)}, respondent="carer")
    record("B", "baseline", answers_of("33333", eq_vas=40, **swemwbs(2), life_satisfaction=3, feeling_safe=2))
    record("B", "follow_up", answers_of("22222", eq_vas=40, **swemwbs(3), life_satisfaction=5, feeling_safe=1,
                                        satisfaction=9, could_not_have_moved=0))
    record("C", "baseline", answers_of("12345", eq_vas=DECLINED, **{**swemwbs(3), "swemwbs_1": NOT_ANSWERED},
                                       feeling_safe=2))
    record("C", "follow_up", answers_of("11115", eq_vas=60, **swemwbs(5), life_satisfaction=NOT_ANSWERED,
                                        feeling_safe=2, satisfaction=DECLINED, could_not_have_moved=1))
    record("D", "follow_up", answers_of("11111", satisfaction=8, could_not_have_moved=1))
    record("E", "baseline", answers_of("22222", eq_vas=50))
    survey_decline(case=cases["E"], timepoint="follow_up", respondent="person", completed_on=after,
                   reason="Too unwell", by=hhc)
    return cases


def test_paired_change_is_given_only_where_both_surveys_answered_the_measure(surveyed):
    pairs = {p.case_id: p for p in paired_changes(Case.objects.all())}
    a = pairs[surveyed["A"].pk].person.changes
    assert (a["eq5d_index"].before, a["eq5d_index"].after) == (Decimal("0.701"), Decimal("1.000"))
    assert a["eq5d_index"].change == Decimal("0.299")
    assert a["eq_vas"].change == 20 and a["swemwbs_metric"].change == Decimal("25.03") - Decimal("19.25")
    assert (a["feeling_safe"].before, a["feeling_safe"].after) == (False, True)
    assert (a["social_contact"].before, a["social_contact"].after) == (False, True)
    assert pairs[surveyed["A"].pk].carer.changes["life_satisfaction"].change == 2
    c = pairs[surveyed["C"].pk].person.changes
    assert "eq_vas" not in c and "swemwbs_metric" not in c and "life_satisfaction" not in c
    assert c["eq5d_index"].change == Decimal("0.711") - Decimal("0.322")
    assert pairs[surveyed["D"].pk].person.changes == {} and not pairs[surveyed["D"].pk].person.complete
    e = pairs[surveyed["E"].pk].person
    assert e.changes == {} and e.follow_up.declined and not e.complete
    assert pairs[surveyed["B"].pk].carer.baseline is None


def test_the_summary_is_worked_out_from_the_pairs(surveyed):
    s = survey_summary(Case.objects.all())
    assert s.counts["person_baseline_recorded"] == 4 and s.counts["person_follow_up_recorded"] == 4
    assert s.counts["person_follow_up_declined"] == 1 and s.counts["person_pairs"] == 3
    assert s.counts["carer_baseline_recorded"] == 1 and s.counts["carer_pairs"] == 1

    # EQ-5D index over A, B, C: 22222 → 11111, 33333 → 22222, 12345 → 11115 (England 2018 worked values).
    before = (Decimal("0.701") + Decimal("0.593") + Decimal("0.322")) / 3
    after = (Decimal("1") + Decimal("0.701") + Decimal("0.711")) / 3
    index = s.person["eq5d_index"]
    assert (index.n, index.baseline, index.follow_up) == (3, _q(before), _q(after))
    assert index.change == _q(after - before)
    assert index.percent_change == _q((after - before) * 100 / before, "0.1")
    assert index.improved == Decimal("100.0")

    vas = s.person["eq_vas"]  # C declined the VAS at baseline: A and B only, 50 → 70 and 40 → 40
    assert (vas.n, vas.baseline, vas.follow_up, vas.change) == (2, _q(45), _q(55), _q(10))
    assert vas.percent_change == _q(Decimal(10) * 100 / 45, "0.1") and vas.improved == Decimal("50.0")

    swem = s.person["swemwbs_metric"]  # C missed an item at baseline: A 19.25 → 25.03, B 15.32 → 19.25
    assert (swem.n, swem.baseline, swem.follow_up) == (2, _q("17.285"), _q("22.14"))
    assert (s.swemwbs_at_or_above_norm.baseline, s.swemwbs_at_or_above_norm.follow_up) == (Decimal("0.0"),
                                                                                           Decimal("50.0"))
    life = s.person["life_satisfaction"]
    assert (life.n, life.baseline, life.follow_up, life.change) == (2, _q("3.5"), _q(6), _q("2.5"))

    anxiety = s.person["anxiety_depression"]  # levels 2 → 1, 3 → 2, 5 → 5; lower is better
    assert (anxiety.n, anxiety.baseline, anxiety.follow_up) == (3, _q(Decimal(10) / 3), _q(Decimal(8) / 3))
    assert anxiety.improved == Decimal("66.7")
    assert (s.anxiety_depression_any.baseline, s.anxiety_depression_any.follow_up) == (Decimal("100.0"),
                                                                                       Decimal("66.7"))
    safe = s.person["feeling_safe"]  # A unsafe → safe, B and C safe at both
    assert (safe.n, safe.baseline, safe.follow_up) == (3, Decimal("66.7"), Decimal("100.0"))
    contact = s.person["social_contact"]  # only A answered it at both
    assert (contact.n, contact.baseline, contact.follow_up) == (1, Decimal("0.0"), Decimal("100.0"))

    # Follow-up only questions, over every follow-up that answered them (D has no baseline; C declined one).
    assert (s.satisfaction.n, s.satisfaction.mean) == (3, _q(9))
    assert (s.could_not_have_moved.n, s.could_not_have_moved.percent) == (4, Decimal("75.0"))
    carer = s.carer["life_satisfaction"]
    assert (carer.n, carer.change, carer.percent_change) == (1, _q(2), Decimal("40.0"))


def test_the_summary_of_no_surveys_is_empty_not_zero():
    s = survey_summary(Case.objects.none())
    assert s.person["eq5d_index"].n == 0 and s.person["eq5d_index"].baseline is None
    assert s.satisfaction.mean is None and s.could_not_have_moved.percent is None


# ------------------------------------------------------------------------------------------ results page


def test_the_project_manager_sees_exact_results(client, surveyed):
    client.force_login(make_user(Role.PROJECT_MANAGER))
    page = client.get(reverse("surveys:results")).content.decode()
    assert "0.539" in page and "0.804" in page  # the EQ-5D index means worked out above
    assert "75.0%" in page


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.EVALUATOR])
def test_outside_the_service_small_counts_and_their_figures_are_suppressed(client, surveyed, role):
    client.force_login(make_user(role, organisation=make_org("ICB")))
    response = client.get(reverse("surveys:results"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "0.539" not in page and "75.0%" not in page
    assert page.count(">*<") >= 10
    for case in surveyed.values():
        assert case.reference not in page and case.person.last_name not in page


def test_the_results_page_is_not_for_coordinators(client, hhc):
    client.force_login(hhc)
    assert client.get(reverse("surveys:results")).status_code == 404


# ----------------------------------------------------------------------------------------- licensed wording


def test_the_project_manager_enters_wording_and_the_form_shows_it(client, hhc):
    pm = make_user(Role.PROJECT_MANAGER)
    client.force_login(pm)
    url = reverse("surveys:wording-edit", args=["feeling_safe"])
    missing = client.post(url, {"text": "Test question about safety", "options": "", "licence_reference": ""})
    assert "Enter the licence or registration reference" in missing.content.decode()
    wrong = client.post(url, {"text": "Test question", "options": "A\nB", "licence_reference": "L-1"})
    assert "Enter 4 answer labels" in wrong.content.decode()
    saved = client.post(url, {"text": "Test question about safety", "licence_reference": "TEST-LICENCE-1",
                              "options": "Opt one\nOpt two\nOpt three\nOpt four"})
    assert saved.status_code == 302
    wording = LicensedWording.objects.get(item="feeling_safe")
    assert (wording.entered_by, wording.licence_reference) == (pm, "TEST-LICENCE-1")
    assert AuditEvent.objects.filter(object_type="survey_wording", action=AuditEvent.Action.CHANGE).exists()
    assert "Test question about safety" in client.get(reverse("surveys:wording")).content.decode()

    case = case_at(hhc=hhc)
    client.force_login(hhc)
    form = client.get(record_url(case)).content.decode()
    assert "Test question about safety" in form and "Opt three" in form
    assert "Feeling safe at home." in form  # the neutral label stays as the hint
    assert "EQ-5D: mobility" in form and "Level 1 (best) to 5 (worst)" in form

    client.force_login(pm)
    client.post(url, {"text": "", "options": "", "licence_reference": ""})
    assert not LicensedWording.objects.exists()


def test_wording_is_entered_only_by_the_project_manager_or_an_administrator(client):
    url = reverse("surveys:wording-edit", args=["eq5d_mo"])
    for role in (Role.HHC, Role.ADMIN_OFFICER, Role.COMMISSIONER):
        client.force_login(make_user(role))
        assert client.get(url).status_code == 404
        assert client.post(url, {"text": "x", "licence_reference": "y"}).status_code == 404
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post(url, {"text": "Admin test wording", "options": "", "licence_reference": "R"})
    assert response.status_code == 302
    assert LicensedWording.objects.get().text == "Admin test wording"


# ------------------------------------------------------------------------------------------------- demo


@pytest.fixture
def demo(today):
    from h2h.demo.generate import generate

    generate(seed=8, referrals=60, today=today)


def _signature():
    return sorted(str((s.case.referral.person.last_name, s.timepoint, s.respondent, s.declined, s.eq5d_index,
                       s.eq_vas, list(s.answers.order_by("item").values_list("item", "status", "value"))))
                  for s in Survey.objects.select_related("case__referral__person"))


def test_the_demo_surveys_follow_the_cases_and_improve_on_average(demo, today):
    # The demo generator records the surveys (h2h/demo/surveys.py) after the support work.
    assert Survey.objects.filter(timepoint="baseline").count() > 10
    assert Survey.objects.filter(timepoint="follow_up").count() > 3
    reached = set(CaseEvent.objects.filter(to_stage=Stage.FIRST_VISIT).values_list("case_id", flat=True))
    six_months = set(CaseEvent.objects.filter(to_stage=Stage.FOLLOW_UP_6M).values_list("case_id", flat=True))
    assert set(Survey.objects.values_list("case_id", flat=True)) <= reached
    assert set(Survey.objects.filter(timepoint="follow_up").values_list("case_id", flat=True)) <= six_months
    assert not Survey.objects.filter(respondent="carer", case__referral__has_carer=False).exists()
    assert Survey.objects.filter(respondent="carer").exists()
    assert not SurveyAnswer.objects.exclude(status=ANSWERED).exclude(value=None).exists()
    assert SurveyAnswer.objects.filter(status=DECLINED).exists()
    summary = survey_summary(Case.objects.all())
    assert summary.counts["person_pairs"] >= 3
    assert summary.person["eq5d_index"].change > 0 and summary.person["eq_vas"].change > 0
    assert summary.person["feeling_safe"].follow_up >= summary.person["feeling_safe"].baseline


def test_the_demo_surveys_are_the_same_for_the_same_seed(demo, today):
    from h2h.demo.surveys import seed_surveys

    SurveyAnswer.objects.all().delete()
    Survey.objects.all().delete()
    with transaction.atomic():
        point = transaction.savepoint()
        seed_surveys(seed=8, today=today)
        first = _signature()
        transaction.savepoint_rollback(point)
    assert not Survey.objects.exists()
    seed_surveys(seed=8, today=today)
    assert _signature() == first and first
