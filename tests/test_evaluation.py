"""The annual evaluation (h2h/evaluation): counts × unit costs per stakeholder, gross and net return per £1, the
seed's worked arithmetic from raw records, the pages, PDF and XLSX, who may see them, and that the commissioner's
versions name nobody.

The evaluation period in these tests is November 2025 to October 2026; "today" is after it, so every 6-month
window after a move in it has finished where the tests need it to.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from h2h.accounts.roles import Role
from h2h.cases.models import Case, CaseEvent
from h2h.cases.stages import Stage
from h2h.evaluation import engine
from h2h.evaluation.costbook import SHIPPED_COST_BOOK, cost_item_change, load_cost_book, load_wellbeing_values
from h2h.evaluation.inputs import evaluate
from h2h.evaluation.models import AvoidedOutcome, Funding
from h2h.evaluation.report import build_evaluation_report
from h2h.hospital.models import Admission, Attendance, Extract
from h2h.reports import kpis
from h2h.reports.figures import Shown
from h2h.surveys.models import Survey, SurveyAnswer
from tests.factories import TEST_NHS_NUMBERS, make_case, make_org, make_person, make_user, service_org

D = date
PERIOD = kpis.Period.months(D(2025, 11, 1), D(2026, 10, 1))
TODAY = D(2026, 11, 23)
QUERY = "?from=2025-11&to=2026-10"
BASELINE = 182  # nottingham.toml [area] baseline_wait_days


# ------------------------------------------------------------------------------------------------ builders


def rehoused_case(*, days: int, tenancy_on: date, setting: str = "acute_hospital", person=None, by=None,
                  sharing=("housing", "health"), cohort="older_people", tenure="council_tenant") -> Case:
    """A case referred from `setting`, `days` before its tenancy started on tenancy_on (raw records only)."""
    by = by or make_user(Role.HHC)
    case = make_case(Stage.TENANCY_START, person=person, cohort=cohort, assigned_to=by)
    Case.objects.filter(pk=case.pk).update(referred_on=tenancy_on - timedelta(days=days))
    referral = case.referral
    referral.setting, referral.consent_sharing, referral.tenure = setting, list(sharing), tenure
    referral.save(update_fields=["setting", "consent_sharing", "tenure"])
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.STAGE, from_stage=Stage.OFFER,
                             to_stage=Stage.TENANCY_START, on=tenancy_on, by=by)
    case.refresh_from_db()
    return case


def fund(amount: str, funder="nhs", kind="staff", start=PERIOD.start, end=PERIOD.end) -> Funding:
    return Funding.objects.create(funder=funder, kind=kind, period_start=start, period_end=end,
                                  amount=Decimal(amount), entered_by=make_user(Role.PROJECT_MANAGER))


def shipped_cost_book():
    result = load_cost_book(SHIPPED_COST_BOOK.read_bytes(), file_name="cost_book_nottingham.csv")
    assert result.ok, result.errors


@pytest.fixture
def seed_cohort(db):
    """Four people referred from acute beds, rehoused after 40, 50, 60 and 70 days (mean 55), one person
    referred from home (not in a bed) after 300 days, and one rehoused before the period (not counted)."""
    shipped_cost_book()
    hhc = make_user(Role.HHC)
    cases = [rehoused_case(days=d, tenancy_on=D(2026, 3, 1) + timedelta(days=10 * i), by=hhc)
             for i, d in enumerate((40, 50, 60, 70))]
    rehoused_case(days=300, tenancy_on=D(2026, 5, 1), setting="community", by=hhc)
    rehoused_case(days=20, tenancy_on=D(2025, 10, 31), by=hhc)
    fund("10000")
    return cases


# ------------------------------------------------------------------------------------------------ the seed's arithmetic


def test_the_seeds_arithmetic_from_raw_records(seed_cohort):
    """Seed 000: "the average rehousing time is 55 days … the average waiting time … is 182 days. Thus the
    intervention avoids a potential additional 127 days in care on average per patient"."""
    ev, data = evaluate(service_org(), PERIOD, today=TODAY)
    assert ev.rehoused_from_bed == 4
    assert ev.mean_days_to_tenancy_from_bed == 55
    assert ev.mean_bed_days_avoided == 182 - 55 == 127
    assert ev.bed_days_avoided == 4 * 127
    # The dashboard's own figure, from the same records, agrees (h2h/reports/kpis.py).
    dashboard = kpis.bed_days_avoided(service_org(), PERIOD)
    assert dashboard.per_person == 127 and dashboard.total == ev.bed_days_avoided
    # Valued at the cost book's acute bed day (£345 in the shipped book), against £10,000 paid in by the NHS.
    acute = next(line for line in ev.lines if line.cost_code == "bed_day_acute_hospital")
    assert acute.unit_cost == Decimal("345")
    assert acute.value == Decimal(508 * 345) == Decimal("175260")
    assert ev.gross_value == Decimal("175260")
    assert ev.service_cost == Decimal("10000")
    # By hand: gross = 175,260 / 10,000 = 17.526; net = (175,260 − 10,000) / 10,000 = 16.526.
    assert ev.overall.gross == Decimal("17.526")
    assert ev.overall.net == Decimal("16.526")
    nhs = next(f for f in ev.by_funder() if f.funder == "nhs")
    assert nhs.ret.value == Decimal("175260") and nhs.ret.gross == Decimal("17.526")
    assert len(data.rehoused) == 5  # the person from home counts as rehoused but avoided no bed days
    assert ev.value_by_stakeholder()["nhs_acute"] == Decimal("175260")


def test_changing_one_unit_cost_changes_the_return_by_exactly_that(seed_cohort):
    before, _ = evaluate(service_org(), PERIOD, today=TODAY)
    cost_item_change(code="bed_day_acute_hospital", by=make_user(Role.PROJECT_MANAGER), reason="Trust's own figure",
                     value=Decimal("400"), price_year="2025/26", source="Trust finance, 2025/26")
    after, _ = evaluate(service_org(), PERIOD, today=TODAY)
    # 508 bed days × (£400 − £345) = £27,940 more value; over £10,000 of cost, £2.794 more per £1, gross and net.
    assert after.gross_value - before.gross_value == Decimal("27940")
    assert after.overall.gross - before.overall.gross == Decimal("2.794")
    assert after.overall.net - before.overall.net == Decimal("2.794")
    assert after.overall.gross == Decimal("20.32")


def test_someone_rehoused_after_the_baseline_counts_negative(db):
    shipped_cost_book()
    rehoused_case(days=100, tenancy_on=D(2026, 1, 10))
    rehoused_case(days=200, tenancy_on=D(2026, 2, 10))
    ev, _ = evaluate(service_org(), PERIOD, today=TODAY)
    assert ev.bed_days_avoided == (182 - 100) + (182 - 200) == 64
    assert ev.bed_types[0].waited_longer_than_baseline == 1


def test_each_bed_type_is_valued_at_its_own_cost(db):
    shipped_cost_book()
    rehoused_case(days=82, tenancy_on=D(2026, 1, 10), setting="mental_health_ward")  # 100 bed days
    rehoused_case(days=172, tenancy_on=D(2026, 2, 10), setting="community_hospital")  # 10 bed days
    rehoused_case(days=170, tenancy_on=D(2026, 2, 11), setting="step_down_unit")  # 12 bed days, no cost: a gap
    ev, _ = evaluate(service_org(), PERIOD, today=TODAY)
    lines = {line.cost_code: line for line in ev.lines}
    assert lines["bed_day_mental_health_ward"].value == Decimal(100 * 719)
    assert lines["bed_day_mental_health_ward"].stakeholder == "nhs_mental_health"
    assert lines["bed_day_community_hospital"].value == Decimal(10 * 565)
    assert lines["bed_day_step_down_unit"].value is None and lines["bed_day_step_down_unit"].quantity == 12
    assert [g.cost_code for g in ev.gaps] == ["bed_day_step_down_unit"]
    assert ev.gross_value == Decimal(100 * 719 + 10 * 565)


# ------------------------------------------------------------------------------------------------ hospital


@pytest.fixture
def hospital_case(db):
    """Referred 1 Jul 2025 (before window 1 Jan – 30 Jun 2025, 181 days), rehoused 1 Nov 2025 (after window
    1 Nov 2025 – 30 Apr 2026, 181 days): equal windows, so events avoided = before − after."""
    shipped_cost_book()
    person = make_person(nhs_number=TEST_NHS_NUMBERS[0], last_name="Hospitalcase", date_of_birth=D(1948, 5, 5))
    case = rehoused_case(days=123, tenancy_on=D(2025, 11, 1), setting="community", person=person,
                         sharing=("housing", "evaluation"))
    evaluator = make_user(Role.EVALUATOR)
    extracts = {kind: Extract.objects.create(kind=kind, file_format="csv", file_name=f"{kind}.csv", sha256=kind,
                                             size_bytes=1, provider="Trust", period_start=D(2024, 1, 1),
                                             period_end=D(2026, 10, 31), uploaded_by=evaluator, status="applied")
                for kind in ("admissions", "attendances")}
    admissions = [
        (D(2025, 2, 1), D(2025, 2, 6), True, 1),     # before: emergency, 5 days (long stay), 1 excess
        (D(2025, 3, 10), D(2025, 3, 20), True, 1),   # before: emergency, 10 days (long stay), 1 excess
        (D(2025, 4, 5), D(2025, 4, 6), True, 0),     # before: emergency, 1 day (short stay)
        (D(2025, 5, 1), D(2025, 5, 4), False, 0),    # before: elective, not valued
        (D(2025, 8, 1), D(2025, 8, 9), True, 3),     # between referral and move: in neither window
        (D(2026, 1, 10), D(2026, 1, 13), True, 0),   # after: emergency, 3 days (long stay)
    ]
    for i, (admitted, discharged, emergency, excess) in enumerate(admissions):
        Admission.objects.create(extract=extracts["admissions"], person=person, nhs_number=person.nhs_number,
                                 date_of_birth=person.date_of_birth, row_key=f"a{i}", line=i + 2,
                                 admitted_on=admitted, discharged_on=discharged, emergency=emergency,
                                 excess_bed_days=excess)
    for i, day in enumerate((D(2025, 1, 15), D(2025, 3, 3), D(2025, 6, 1), D(2026, 2, 2))):
        Attendance.objects.create(extract=extracts["attendances"], person=person, nhs_number=person.nhs_number,
                                  date_of_birth=person.date_of_birth, row_key=f"e{i}", line=i + 2, attended_on=day)
    return case


def test_hospital_use_after_the_move_valued_by_hand(hospital_case):
    ev, data = evaluate(service_org(), PERIOD, today=TODAY)
    assert data.hospital.measured == 1
    lines = {line.cost_code: line for line in ev.lines}
    # Long stays 2 → 1, short stays 1 → 0, excess bed days 2 → 0, A&E 3 → 1.
    assert lines["admission_emergency_long_stay"].quantity == 1
    assert lines["admission_emergency_short_stay"].quantity == 1
    assert lines["excess_bed_day"].quantity == 2
    assert lines["ae_attendance"].quantity == 2
    # The split into short and long stays covers exactly the emergency admissions the outcome measures count.
    case = ev.inputs.hospital[0]
    summary = data.hospital.summary
    assert case.before.long_stays + case.before.short_stays == summary.before.emergency_admissions == 3
    assert case.after.long_stays + case.after.short_stays == summary.after.emergency_admissions == 1
    # 1 × £5,419 + 1 × £826 + 2 × £273 + 2 × £280 = £7,351, all to the NHS acute trust.
    assert ev.gross_value == Decimal("7351")
    assert ev.value_by_stakeholder()["nhs_acute"] == Decimal("7351")


def test_hospital_use_not_yet_due_is_left_out_not_zero(hospital_case):
    # On 1 Mar 2026 the after window (to 30 Apr 2026) has not finished.
    ev, data = evaluate(service_org(), PERIOD, today=D(2026, 3, 1))
    assert data.hospital.measured == 0 and data.hospital.not_yet_due == 1
    assert all(line.quantity == 0 for line in ev.lines if line.section == engine.SECTION_HOSPITAL)


def test_unequal_windows_compare_rates_over_the_after_window():
    # 2 admissions in 100 days before, 1 in 50 days after: at the before rate 1 was expected, 1 happened.
    assert engine.expected_less_actual(2, 100, 1, 50) == 0
    assert engine.expected_less_actual(3, 180, 0, 90) == Decimal("1.5")
    assert engine.expected_less_actual(0, 180, 2, 180) == -2  # use went up: counts against the service


# ------------------------------------------------------------------------------------------------ council, housing


def test_council_and_housing_lines(db):
    shipped_cost_book()
    pm = make_user(Role.PROJECT_MANAGER)
    case = rehoused_case(days=30, tenancy_on=D(2026, 4, 1), setting="community")
    AvoidedOutcome.objects.create(case=case, kind="social_care", quantity=Decimal("10"), on=D(2026, 4, 1),
                                  note="Carers twice a day no longer needed", recorded_by=pm)
    AvoidedOutcome.objects.create(case=case, kind="adaptation", quantity=Decimal("2"), on=D(2026, 4, 1),
                                  note="Stairlift and wet room", recorded_by=pm)
    AvoidedOutcome.objects.create(case=case, kind="homelessness", on=D(2025, 6, 1), note="Outside the period",
                                  recorded_by=pm)
    fund("5000", funder="council")
    fund("1000", funder="nhs")
    ev, _ = evaluate(service_org(), PERIOD, today=TODAY)
    lines = {line.cost_code: line for line in ev.lines}
    # 10 hours a week × 26 weeks (6 months) × £32.14 = £8,356.40, to adult social care.
    assert lines["home_care_hour"].quantity == 260
    assert lines["home_care_hour"].value == Decimal("8356.40")
    # Two adaptations counted, not valued: the shipped cost book leaves the adaptation cost as a gap.
    assert lines["adaptation"].quantity == 2 and lines["adaptation"].value is None
    assert lines["homelessness_case"].quantity == 0
    council = next(f for f in ev.by_funder() if f.funder == "council")
    assert council.ret.value == Decimal("8356.40") and council.ret.cost == Decimal("5000")
    assert council.ret.gross == Decimal("1.67128") and council.ret.net == Decimal("0.67128")
    nhs = next(f for f in ev.by_funder() if f.funder == "nhs")
    assert nhs.ret.value == 0 and nhs.ret.gross == 0 and nhs.ret.net == -1


def test_long_term_voids_let_through_the_service(db):
    from h2h.lettings.models import Application, Offer, Property, Void

    shipped_cost_book()
    cost_item_change(code="rent_weeks_gained", by=None, reason="Service's assumption", value=Decimal("8"),
                     price_year="2026", source="Project board decision, March 2026")
    hhc = make_user(Role.HHC)
    for n, (empty_days, rent) in enumerate(((120, "100.00"), (30, "90.00"))):
        case = rehoused_case(days=40, tenancy_on=D(2026, 6, 1), by=hhc)
        home = Property.objects.create(ref=f"P{n}", landlord=service_org(), address_line_1="1 Road", town="Nottingham",
                                       postcode="NG7 1AA", property_type="flat", bedrooms=1, floor=0,
                                       weekly_rent=Decimal(rent))
        void = Void.objects.create(property=home, empty_on=D(2026, 6, 1) - timedelta(days=empty_days),
                                   let_on=D(2026, 6, 1), status="let")
        application = Application.objects.create(case=case, reference=f"A{n}", date_of_birth=D(1950, 1, 1), band="A",
                                                 application_date=D(2026, 1, 1), effective_date=D(2025, 1, 1),
                                                 status="housed")
        Offer.objects.create(void=void, application=application, kind="direct", status="signed_up", made_by=hhc,
                             tenancy_start=D(2026, 6, 1))
    ev, _ = evaluate(service_org(), PERIOD, today=TODAY)
    lines = {line.cost_code: line for line in ev.lines}
    # Only the home empty 120 days (more than the area's 90) is long-term: £5,300, and £100 × 8 weeks of rent.
    assert lines["long_term_void"].quantity == 1 and lines["long_term_void"].value == Decimal("5300")
    assert lines["rent_weeks_gained"].value == Decimal("800")
    assert ev.value_by_stakeholder()["housing_provider"] == Decimal("6100")
    assert kpis.lettings(service_org(), PERIOD).long_term_voids_let == 1  # the dashboard agrees


def test_funding_counts_pro_rata_by_days(db):
    fund("36500", start=D(2025, 1, 1), end=D(2025, 12, 31))  # 61 of its 365 days fall in the period
    fund("1200", funder="council", kind="hardship_fund", start=D(2026, 4, 1), end=D(2026, 9, 30))
    fund("999", start=D(2024, 1, 1), end=D(2024, 12, 31))  # outside the period
    ev, _ = evaluate(service_org(), PERIOD, today=TODAY)
    assert ev.cost_by_funder() == {"nhs": Decimal("6100.00"), "council": Decimal("1200"), "housing_provider": 0,
                                   "other": 0}
    assert ev.cost_by_kind()["hardship_fund"] == Decimal("1200")
    assert ev.overall.gross == 0 and ev.service_cost == Decimal("7300")


def test_no_cost_means_no_ratio(seed_cohort):
    Funding.objects.all().delete()
    ev, _ = evaluate(service_org(), PERIOD, today=TODAY)
    assert ev.gross_value > 0 and ev.overall.gross is None and ev.overall.net is None


# ------------------------------------------------------------------------------------------------ social value


def _survey(case, timepoint, answers, *, respondent="person", by):
    survey = Survey.objects.create(case=case, timepoint=timepoint, respondent=respondent, completed_on=D(2026, 1, 1),
                                   recorded_by=by, value_set="england-2018")
    for item, value in answers.items():
        SurveyAnswer.objects.create(survey=survey, item=item, status="answered", value=value)
    return survey


def test_social_value_from_the_services_own_values(db):
    shipped_cost_book()
    hhc = make_user(Role.HHC)
    homeless = rehoused_case(days=30, tenancy_on=D(2026, 2, 1), setting="community", tenure="homeless", by=hhc)
    anxious = rehoused_case(days=30, tenancy_on=D(2026, 3, 1), setting="community", by=hhc)
    _survey(anxious, "baseline", {"eq5d_ad": 4, "feeling_safe": 3, "life_satisfaction": 3}, by=hhc)
    _survey(anxious, "follow_up", {"eq5d_ad": 1, "feeling_safe": 1, "life_satisfaction": 7}, by=hhc)
    _survey(homeless, "baseline", {"eq5d_ad": 2, "feeling_safe": 1}, by=hhc)  # no follow-up: no pair
    _survey(anxious, "baseline", {"life_satisfaction": 4}, respondent="carer", by=hhc)
    _survey(anxious, "follow_up", {"life_satisfaction": 6}, respondent="carer", by=hhc)
    fund("2000")
    ev, _ = evaluate(service_org(), PERIOD, today=TODAY)
    counts = ev.inputs.wellbeing_counts
    assert counts["secure_tenancy_from_homelessness"] == 1
    assert counts["relief_from_anxiety_depression"] == 1
    assert counts["feeling_safe"] == 1
    assert counts["carer_life_satisfaction"] == 1
    assert ev.social_value == 0  # nothing is valued until the service loads its own values
    csv = (b"outcome,value,deadweight_percent,source,licence\n"
           b"secure_tenancy_from_homelessness,1000,20,Service's own valuation 2026,\n"
           b"relief_from_anxiety_depression,500.50,,Service's own valuation 2026,\n")
    assert load_wellbeing_values(csv, file_name="values.csv").ok
    ev, _ = evaluate(service_org(), PERIOD, today=TODAY)
    # 1 × £1,000 × 80% + 1 × £500.50 = £1,300.50; per £1 of the £2,000 cost: £0.65025.
    assert ev.social_value == Decimal("1300.50")
    assert ev.social_return.gross == Decimal("0.65025")
    assert ev.gross_value == 0  # social value is never added to the financial value


# ------------------------------------------------------------------------------------------------ pages and files

CANARIES = {"first_name": "Zebulonqx", "last_name": "Quixotewvy", "nhs_number": TEST_NHS_NUMBERS[1],
            "postcode": "NG7 9QZ", "address_line_1": "17 Canaryqx Lane"}
DOB = D(1931, 2, 17)
DOB_FORMS = ("1931-02-17", "17 February 1931", "17/02/1931", "17 Feb 1931", "1931")


def _canary_cohort():
    person = make_person(date_of_birth=DOB, **CANARIES)
    rehoused_case(days=50, tenancy_on=D(2026, 5, 1), person=person, sharing=("housing", "evaluation"))
    for i in range(9):  # enough people for figures to be shown, rounded, to the commissioner
        rehoused_case(days=40 + i, tenancy_on=D(2026, 2, 1) + timedelta(days=i))
    fund("50000")


def _pdf_text(content: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def _xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
                     if cell.value is not None)


def _assert_no_person(text: str) -> None:
    for secret in (*CANARIES.values(), "Canaryqx", "9990000026", "999 000 0026", *DOB_FORMS[:4]):
        assert secret not in text, secret


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.EVALUATOR, Role.PROJECT_MANAGER])
def test_the_evaluation_page_pdf_and_workbook_name_nobody(client, db, role):
    shipped_cost_book()
    _canary_cohort()
    commissioning = make_org("ICB", kind="commissioner")
    client.force_login(make_user(role, organisation=None if role == Role.PROJECT_MANAGER else commissioning))
    page = client.get("/evaluation/" + QUERY)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Gross return per £1 (value ÷ cost)" in body and "Net return per £1 ((value − cost) ÷ cost)" in body
    _assert_no_person(body)
    xlsx = client.get("/evaluation/evaluation.xlsx" + QUERY)
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook_text = _xlsx_text(xlsx.content)
    assert "Net return per £1 ((value − cost) ÷ cost)" in workbook_text
    _assert_no_person(workbook_text)
    pdf = client.get("/evaluation/evaluation.pdf" + QUERY)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pdf_text = _pdf_text(pdf.content)
    assert "Gross return per £1" in pdf_text and "Bed days avoided" in pdf_text
    _assert_no_person(pdf_text)


def test_the_commissioner_sees_small_numbers_suppressed_and_the_manager_exact(client, seed_cohort):
    report = build_evaluation_report(service_org(), PERIOD, Shown(exact=False), today=TODAY)
    summary = report.sections[0].tables[0].rows
    assert summary[0] == ["People rehoused in the period", "*"]  # 5 people
    assert summary[3][1] == "*"  # a ratio from fewer than 8 people
    exact = build_evaluation_report(service_org(), PERIOD, Shown(exact=True), today=TODAY)
    rows = exact.sections[0].tables[0].rows
    assert rows[0][1] == 5 and rows[3][1] == Decimal("17.53") and rows[4][1] == Decimal("16.53")


def test_the_workbook_has_its_sheets_and_numbers(client, seed_cohort):
    pm = make_user(Role.PROJECT_MANAGER)
    client.force_login(pm)
    response = client.get("/evaluation/evaluation.xlsx" + QUERY)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Read me", "Summary", "Stakeholders", "Value made up", "Service cost",
                                   "Hospital use", "Social value", "Wellbeing", "Completeness", "Cost book"]
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows(min_row=3) if row[0].value}
    assert summary["Gross financial value (avoided costs, all stakeholders)"] == 175260
    assert summary["Net return per £1 ((value − cost) ÷ cost)"] == pytest.approx(16.53)
    from h2h.audit.models import AuditEvent
    assert AuditEvent.objects.filter(action="export", object_type="report", username=pm.username).count() == 1


def test_a_bad_period_is_reported_and_the_default_shown(client, seed_cohort):
    client.force_login(make_user(Role.PROJECT_MANAGER))
    response = client.get("/evaluation/?from=2026-10&to=2025-11")
    assert response.status_code == 200
    assert "The month to must be the same as or after the month from" in response.content.decode()
    response = client.get("/evaluation/?from=2026-13&to=x")
    assert "Enter the month from as a year and month" in response.content.decode()


@pytest.mark.parametrize("url", ["/evaluation/", "/evaluation/evaluation.pdf", "/evaluation/evaluation.xlsx",
                                 "/evaluation/cost-book/", "/evaluation/cost-book/ae_attendance/",
                                 "/evaluation/funding/", "/evaluation/wellbeing-values/", "/evaluation/export/",
                                 "/evaluation/export.csv"])
@pytest.mark.parametrize("role", [Role.REFERRER, Role.HHC, Role.ADMIN_OFFICER, Role.LETTINGS_OFFICER,
                                  Role.HOUSING_MANAGER, Role.ADMINISTRATOR])
def test_people_the_evaluation_is_not_for_get_not_found(client, db, url, role):
    client.force_login(make_user(role))
    assert client.get(url).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, db):
    response = client.get("/evaluation/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


# ------------------------------------------------------------------------------------------------ avoided outcomes


def test_a_coordinator_records_an_avoided_outcome_on_their_case(client, db):
    from h2h.audit.models import AuditEvent

    hhc = make_user(Role.HHC)
    case = rehoused_case(days=30, tenancy_on=D(2026, 4, 1), setting="community", by=hhc)
    client.force_login(hhc)
    assert client.get(f"/evaluation/cases/{case.pk}/avoided/").status_code == 200
    response = client.post(f"/evaluation/cases/{case.pk}/avoided/social_care/",
                           {"quantity": "", "on_day": "1", "on_month": "4", "on_year": "2026", "note": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "Enter home care hours a week" in body and "Enter why you judge" in body
    response = client.post(f"/evaluation/cases/{case.pk}/avoided/social_care/",
                           {"quantity": "7.5", "on_day": "1", "on_month": "4", "on_year": "2026",
                            "note": "Evening call no longer needed"})
    assert response.status_code == 302
    outcome = AvoidedOutcome.objects.get(case=case)
    assert outcome.quantity == Decimal("7.5") and outcome.recorded_by == hhc
    assert AuditEvent.objects.filter(object_type="avoided_outcome", action="create", person_id=case.person_id).exists()
    client.post(f"/evaluation/cases/{case.pk}/avoided/social_care/remove/")
    assert not AvoidedOutcome.objects.filter(case=case).exists()


@pytest.mark.parametrize("role", [Role.REFERRER, Role.COMMISSIONER, Role.EVALUATOR, Role.LETTINGS_OFFICER])
def test_only_the_service_records_avoided_outcomes(client, db, role):
    case = rehoused_case(days=30, tenancy_on=D(2026, 4, 1))
    client.force_login(make_user(role))
    assert client.get(f"/evaluation/cases/{case.pk}/avoided/").status_code == 404
    assert client.post(f"/evaluation/cases/{case.pk}/avoided/homelessness/",
                       {"on_day": "1", "on_month": "4", "on_year": "2026", "note": "x"}).status_code == 404
    assert not AvoidedOutcome.objects.exists()


def test_another_services_coordinator_gets_not_found(client, db):
    case = rehoused_case(days=30, tenancy_on=D(2026, 4, 1))
    other = make_org("OTH", kind="housing_provider")
    client.force_login(make_user(Role.HHC, organisation=other))
    assert client.get(f"/evaluation/cases/{case.pk}/avoided/").status_code == 404
    assert client.get(f"/evaluation/cases/{case.pk}/avoided/unknown-kind/").status_code == 404


def test_the_demo_seeds_costs_funding_and_avoided_outcomes(db):
    from h2h.evaluation.demo import seed_evaluation

    make_user(Role.PROJECT_MANAGER)
    hhc = make_user(Role.HHC)
    cases = [rehoused_case(days=40 + i, tenancy_on=D(2026, 1, 1) + timedelta(days=7 * i), by=hhc,
                           tenure="private_rented") for i in range(30)]
    result = seed_evaluation(seed=1, today=TODAY, service=service_org())
    assert result["funding_rows"] == 6 and result["avoided_outcomes"] > 0
    assert set(AvoidedOutcome.objects.values_list("case_id", flat=True)) <= {c.pk for c in cases}
    ev, _ = evaluate(service_org(), PERIOD, today=TODAY)
    assert ev.service_cost > 0 and ev.gross_value > 0 and ev.overall.net == ev.overall.gross - 1
