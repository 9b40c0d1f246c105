"""The monthly management report: the page, the PDF (rendered to images and read back), the XLSX workbook
(sheets, no formula cells), the command line, the audit of every export, and who may have which version."""

import io
import zipfile
from datetime import date, timedelta

import openpyxl
import pypdfium2
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.reports.figures import Shown
from h2h.reports.monthly import NoSuchMonth, build_monthly_report
from h2h.reports.xlsx import FORMULA_TRIGGER, SHEET_NAMES
from tests.factories import make_user, service_org
from tests.test_kpis import new_case, rehoused_case

pytestmark = pytest.mark.django_db

MONTH = (2025, 10)
SHEETS = ["Read me", *SHEET_NAMES.values()]
FORMULAS = ['=HYPERLINK("http://x","y")', "+SUM(1,1)", "-2+3", "@cmd", "\t=1+1", "\r=1+1", " =1"]


@pytest.fixture
def october():
    """October 2025: ten people referred from a bed rehoused, in 40..85 days (mean 62.5 → 119.5 bed days
    avoided each), and three new referrals; a coordinator whose name would be a formula holds one of them."""
    for n in range(40, 90, 5):
        rehoused_case(date(2025, 10, 31) - timedelta(days=n), n)
    hhc = make_user(Role.HHC, first_name=FORMULAS[0], last_name="")
    for day in (3, 4):
        new_case(date(2025, 10, day), assigned_to=hhc)
    canary = new_case(date(2025, 10, 5))
    canary.person.last_name = "Zebedee-Canary"
    canary.person.postcode = "NG7 9ZZ"
    canary.person.nhs_number = "9990000026"
    canary.person.save()
    return canary


def url(fmt=""):
    return reverse(f"reports:monthly{fmt}", args=["2025-10"])


def pdf_pages(content: bytes):
    document = pypdfium2.PdfDocument(content)
    return [document[i] for i in range(len(document))]


# ------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("role", [Role.REFERRER, Role.HHC, Role.LETTINGS_OFFICER])
@pytest.mark.parametrize("fmt", ["", "-pdf", "-xlsx"])
def test_referrers_coordinators_and_lettings_officers_get_404(client, role, fmt):
    client.force_login(make_user(role))
    assert client.get(url(fmt)).status_code == 404
    assert client.get(reverse("reports:monthly-index")).status_code == 404
    assert not AuditEvent.objects.filter(object_type="report").exists()


def test_a_month_not_yet_started_or_not_a_month_is_not_found(client):
    client.force_login(make_user(Role.PROJECT_MANAGER))
    assert client.get(reverse("reports:monthly", args=["2999-01"])).status_code == 404
    assert client.get("/reports/monthly/2025-13/").status_code == 404
    assert client.get("/reports/monthly/x/").status_code == 404
    with pytest.raises(NoSuchMonth):
        build_monthly_report(service_org(), 2999, 1, Shown(exact=True))


def test_the_index_lists_months_with_their_downloads(client, october):
    client.force_login(make_user(Role.PROJECT_MANAGER))
    body = client.get(reverse("reports:monthly-index")).content.decode()
    assert 'href="/reports/monthly/2025-10/"' in body
    assert 'href="/reports/monthly/2025-10.pdf"' in body


# ------------------------------------------------------------------------------------------- page


def test_the_page_gives_the_month_and_year_to_date_exactly_for_the_project_manager(client, october):
    client.force_login(make_user(Role.PROJECT_MANAGER))
    response = client.get(url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Monthly management report: October 2025" in body
    assert "1 April 2025 to 31 October 2025" in body
    report = build_monthly_report(service_org(), *MONTH, Shown(exact=True))
    summary = {row[0]: row[1:] for row in report.sections[0].tables[0].rows}
    assert summary["New referrals"] == [3, 3 + 10]  # the rehoused were referred in August and September
    assert summary["People rehoused (tenancy started)"] == [10, 10]
    assert summary["Mean rehousing time (days)"] == [62.5, 62.5]
    assert summary["Bed days avoided per person in a bed"] == [119.5, 119.5]
    assert summary["Bed days avoided"] == [1195, 1195]
    assert "1,195" in body
    assert not AuditEvent.objects.filter(object_type="report").exists()  # viewing figures is not an export


def test_the_commissioners_page_is_suppressed_and_names_nobody(client, october):
    client.force_login(make_user(Role.COMMISSIONER))
    body = client.get(url()).content.decode()
    assert "Published version: small numbers suppressed" in body
    for secret in ("Zebedee-Canary", "NG7 9ZZ", "9990000026", "999 000 0026", "HYPERLINK"):
        assert secret not in body
    report = build_monthly_report(service_org(), *MONTH, Shown(exact=False))
    summary = {row[0]: row[1:] for row in report.sections[0].tables[0].rows}
    assert summary["New referrals"] == ["*", 15]
    assert summary["People rehoused (tenancy started)"] == [10, 10]


# ------------------------------------------------------------------------------------------- PDF


def test_the_pdf_renders_readable_pages_with_the_figures_in_them(client, october):
    client.force_login(make_user(Role.PROJECT_MANAGER))
    response = client.get(url("-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="h2h-monthly-report-2025-10.pdf"'
    pages = pdf_pages(response.content)
    assert len(pages) >= 2
    text = ""
    for page in pages:
        image = page.render(scale=1).to_pil().convert("L")
        body = image.crop((0, 0, image.width, int(image.height * 0.9)))  # above the footer line
        assert sum(body.histogram()[:128]) > 300, "a blank page"  # dark pixels of text and rules
        text += page.get_textpage().get_text_range()
    assert "Housing to Health monthly management report: October 2025" in text
    assert "1,195" in text and "119.5" in text and "62.5" in text
    assert "Page 1 of" in text
    assert "Zebedee-Canary" not in text  # no person, even in the project manager's version
    event = AuditEvent.objects.get(object_type="report")
    assert (event.action, event.object_id) == (AuditEvent.Action.EXPORT, "monthly-2025-10")
    assert "PDF" in event.summary


def test_the_commissioners_pdf_is_the_published_version(client, october):
    client.force_login(make_user(Role.COMMISSIONER))
    response = client.get(url("-pdf"))
    assert response["Content-Disposition"].endswith('-published.pdf"')
    text = "".join(page.get_textpage().get_text_range() for page in pdf_pages(response.content))
    assert "Published version: small numbers suppressed" in text
    assert "Zebedee-Canary" not in text and "NG7 9ZZ" not in text


# ------------------------------------------------------------------------------------------- XLSX


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_workbook_has_a_read_me_and_a_sheet_per_section(client, october):
    client.force_login(make_user(Role.PROJECT_MANAGER))
    response = client.get(url("-xlsx"))
    assert response.status_code == 200
    book = workbook(response.content)
    assert book.sheetnames == SHEETS
    read_me = {row[0]: row[1] for row in book["Read me"].iter_rows(values_only=True)}
    assert read_me["Month"] == "October 2025"
    assert read_me["Year to date"] == "1 April 2025 to 31 October 2025"
    assert "Generated at" in read_me and "Source" in read_me
    assert read_me["Suppression rule"].startswith("Exact figures")
    summary = {row[0]: row[1:3] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Bed days avoided"] == (1195, 1195)
    assert summary["People rehoused from a bed"] == (10, 10)
    event = AuditEvent.objects.get(object_type="report")
    assert "XLSX" in event.summary


def test_no_value_in_the_workbook_can_be_read_as_a_formula(client, october):
    from h2h.reports.figures import Column, Section, Table
    from h2h.reports.xlsx import monthly_report_xlsx

    client.force_login(make_user(Role.PROJECT_MANAGER))
    content = client.get(url("-xlsx")).content
    report = build_monthly_report(service_org(), *MONTH, Shown(exact=True))
    report.sections.append(
        Section("extra", "Extra", [Table("x", "=caption", [Column("=label")], [[text] for text in FORMULAS])])
    )
    for data in (content, monthly_report_xlsx(report)):
        book = workbook(data)
        cells = [
            cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None
        ]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not [s for s in sheets if b"<f>" in s or b"<f " in s]
    # The coordinator named like a formula is in the caseload sheet, as text, marked as such.
    caseload = [c for row in workbook(content)["Caseload"].iter_rows() for c in row]
    named = next(c for c in caseload if c.value == FORMULAS[0])
    assert named.data_type == "s" and named.quotePrefix
    extra = workbook(monthly_report_xlsx(report))[report.sections[-1].title]
    # (An XML reader turns a carriage return into a line feed; the text is otherwise as written.)
    assert [row[0] for row in extra.iter_rows(values_only=True)][2:] == [
        t.replace("\r", "\n") for t in FORMULAS
    ]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_triggers_are_recognised(text):
    assert FORMULA_TRIGGER.match(text)


def test_the_commissioners_workbook_shows_no_count_from_1_to_7_and_no_person(client, october):
    client.force_login(make_user(Role.COMMISSIONER))
    book = workbook(client.get(url("-xlsx")).content)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    values = [c.value for c in cells]
    # Whole numbers other than percentages (100% is stored as the fraction 1).
    counts = [c.value for c in cells if isinstance(c.value, int) and "%" not in c.number_format]
    assert counts and not [v for v in counts if 1 <= v <= 7]
    text = " ".join(str(v) for v in values)
    for secret in ("Zebedee-Canary", "NG7 9ZZ", "9990000026", "HYPERLINK"):
        assert secret not in text
    assert "Coordinator 1" in text


# ------------------------------------------------------------------------------------------- command line


def test_the_command_writes_each_format_and_audits_it(tmp_path, october):
    for fmt in ("xlsx", "html", "pdf"):
        target = tmp_path / f"report.{fmt}"
        call_command(
            "report", "monthly", "2025-10", "--format", fmt, "--output", str(target), stdout=io.StringIO()
        )
        assert target.stat().st_size > 1000
    assert workbook((tmp_path / "report.xlsx").read_bytes()).sheetnames == SHEETS
    assert "October 2025" in (tmp_path / "report.html").read_text()
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    events = AuditEvent.objects.filter(object_type="report", action=AuditEvent.Action.EXPORT)
    assert events.count() == 3
    assert all(e.username.startswith("command line") and e.object_id == "monthly-2025-10" for e in events)


def test_the_command_writes_the_published_version_when_asked(tmp_path, october):
    target = tmp_path / "published.xlsx"
    call_command(
        "report",
        "monthly",
        "2025-10",
        "--format",
        "xlsx",
        "--output",
        str(target),
        "--published",
        stdout=io.StringIO(),
    )
    read_me = {row[0]: row[1] for row in workbook(target.read_bytes())["Read me"].iter_rows(values_only=True)}
    assert read_me["Version"] == "Published version: small numbers suppressed"


@pytest.mark.parametrize("month", ["2025-13", "October", "2999-01"])
def test_the_command_refuses_a_month_it_cannot_report(tmp_path, month):
    service_org()
    with pytest.raises(CommandError):
        call_command("report", "monthly", month, "--output", str(tmp_path / "x.pdf"), stdout=io.StringIO())
    assert not (tmp_path / "x.pdf").exists()
