"""The KPI dashboard (/reports/): who may open it, exact figures for the project manager, suppressed ones for
the commissioner (no displayed count from 1 to 7, others rounded to 5, no person), charts with their numbers
in a table beside them, and the period filter."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from h2h.accounts.roles import Role
from h2h.cases.stages import Stage
from h2h.reports.figures import Shown
from h2h.reports.views import PeriodForm
from tests.factories import make_user
from tests.test_kpis import move, new_case, rehoused_case

pytestmark = pytest.mark.django_db

OCTOBER_2025 = {"from": "2025-10", "to": "2025-10"}


class Page(HTMLParser):
    """The tables and SVG charts of a rendered page, as text."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: list[dict] = []
        self._table = self._row = self._cell = None
        self._chart = None
        self._text: list[str] | None = None
        self._svg_text: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "h2h-report-table" in (attrs.get("class") or ""):
            self._table = self.tables.setdefault(attrs["id"].removeprefix("table-"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._text = []
        elif tag == "svg" and "h2h-chart" in (attrs.get("class") or ""):
            self._chart = {"attrs": attrs, "title": "", "desc": "", "texts": [], "rects": []}
        elif self._chart is not None and tag in ("title", "desc", "text"):
            self._svg_text = []
        elif self._chart is not None and tag == "rect" and "height" in attrs and attrs.get("height") == "22":
            self._chart["rects"].append(attrs)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._text is not None:
            self._row.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif self._chart is not None and tag in ("title", "desc") and self._svg_text is not None:
            self._chart[tag] = "".join(self._svg_text).strip()
            self._svg_text = None
        elif self._chart is not None and tag == "text" and self._svg_text is not None:
            self._chart["texts"].append("".join(self._svg_text).strip())
            self._svg_text = None
        elif tag == "svg" and self._chart is not None:
            self.charts.append(self._chart)
            self._chart = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)
        if self._svg_text is not None:
            self._svg_text.append(data)

    def figure(self, table: str, row_label: str, column: int = 1) -> str:
        return next(row[column] for row in self.tables[table] if row[0] == row_label)

    def numeric_cells(self) -> list[str]:
        return [cell for rows in self.tables.values() for row in rows[1:] for cell in row[1:]]


def counts_shown(cells) -> list[int]:
    """Whole numbers as written in cells ("1,234" → 1234), leaving out money, rates and days with decimals."""
    found = []
    for cell in cells:
        if re.fullmatch(r"-?[\d,]+", cell):
            found.append(int(cell.replace(",", "")))
    return found


@pytest.fixture
def october():
    """October 2025: 12 new referrals (one of a person named Zebedee-Canary, who must never show), 3 of them
    screened (2 accepted, 1 declined), and 9 people rehoused from a bed in 40..80 days (mean 60), referred in
    August (4) and September (5)."""
    cases = [new_case(date(2025, 10, 1) + timedelta(days=i)) for i in range(11)]
    canary = new_case(date(2025, 10, 20))
    canary.person.last_name = "Zebedee-Canary"
    canary.person.save()
    for case, decision in zip(cases[:3], ["accepted", "accepted", "declined"], strict=True):
        type(case).objects.filter(pk=case.pk).update(decision=decision)
        case.refresh_from_db()
        move(
            case,
            Stage.SCREENED if decision == "accepted" else Stage.CLOSED,
            date(2025, 10, 15),
            closing_reason="" if decision == "accepted" else "not_eligible",
        )
    days = [40, 45, 50, 55, 60, 65, 70, 75, 80]
    for n in days:
        rehoused_case(date(2025, 10, 31) - timedelta(days=n), n)
    return {"days": days}


def page_for(client, role, params=OCTOBER_2025, **user):
    client.force_login(make_user(role, **user))
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    return Page(response.content.decode()), response


# ------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    "role",
    [
        Role.REFERRER,
        Role.HHC,
        Role.LETTINGS_OFFICER,
        Role.ADMIN_OFFICER,
        Role.HOUSING_MANAGER,
        Role.ADMINISTRATOR,
    ],
)
def test_the_dashboard_is_not_there_for_other_roles(client, role):
    client.force_login(make_user(role))
    assert client.get(reverse("reports:dashboard")).status_code == 404


def test_someone_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.PROJECT_MANAGER, Role.COMMISSIONER, Role.EVALUATOR])
def test_the_dashboard_opens_for_the_project_manager_commissioner_and_evaluator(client, role):
    page, response = page_for(client, role, params={})
    assert "Period" in response.content.decode()
    assert "headline" in page.tables


# ------------------------------------------------------------------------------------------- figures


def test_the_project_manager_sees_exact_figures(client, october):
    page, _ = page_for(client, Role.PROJECT_MANAGER)
    assert page.figure("headline", "New referrals") == "12"
    assert page.figure("headline", "Referrals accepted at screening") == "2"
    assert page.figure("headline", "Acceptance rate (accepted / screened)") == "66.7%"
    assert page.figure("headline", "People rehoused (tenancy started)") == "9"
    assert page.figure("headline", "Mean rehousing time (days)") == "60"
    assert page.figure("headline", "Bed days avoided per person in a bed") == str(182 - 60)
    assert page.figure("screening", "Declined") == "1"


def test_the_commissioner_sees_no_count_from_1_to_7_and_others_rounded_to_5(client, october):
    page, response = page_for(client, Role.COMMISSIONER)
    body = response.content.decode()
    assert page.figure("headline", "New referrals") == "10"  # 12 rounded
    assert page.figure("headline", "Referrals accepted at screening") == "*"
    assert page.figure("headline", "Acceptance rate (accepted / screened)") == "*"  # 3 screened
    assert page.figure("headline", "People rehoused (tenancy started)") == "10"  # 9 rounded
    assert page.figure("headline", "Mean rehousing time (days)") == "60"  # a group of 9: shown
    counts = counts_shown(page.numeric_cells())
    assert counts and not [n for n in counts if 1 <= n <= 7]
    for key in (
        "referrals-by-month",
        "referrals-by-source",
        "referrals-by-setting",
        "referrals-by-cohort",
        "funnel",
        "caseload",
        "rehousing-bands",
    ):
        cells = [row[1] for row in page.tables[key][1:]]
        assert all(cell == "*" or int(cell) % 5 == 0 for cell in cells), (key, cells)
    # Bars too: a suppressed count is written "*" with no bar, and no bar's value is 1 to 7.
    values = [t for chart in page.charts for t in chart["texts"][1::2]]
    assert not [v for v in counts_shown(values) if 1 <= v <= 7]
    assert "Zebedee-Canary" not in body
    assert "Kpiperson" not in body


def test_the_commissioner_does_not_see_who_the_coordinators_are(client, october):
    hhc = make_user(Role.HHC, first_name="Quentin", last_name="Uniquename")
    case = new_case(date(2025, 10, 2), assigned_to=hhc)
    assert case.assigned_to == hhc
    page, response = page_for(client, Role.COMMISSIONER)
    assert "Uniquename" not in response.content.decode()
    assert any(row[0].startswith("Coordinator ") for row in page.tables["caseload"][1:])
    manager_page, manager_response = page_for(client, Role.PROJECT_MANAGER)
    assert "Quentin Uniquename" in manager_response.content.decode()


def test_every_chart_has_a_title_a_description_and_its_numbers_in_the_table_beside_it(client, october):
    page, response = page_for(client, Role.PROJECT_MANAGER)
    assert len(page.charts) >= 8
    for chart in page.charts:
        assert chart["attrs"]["role"] == "img"
        assert chart["title"] and chart["desc"].startswith("Bar chart.")
        title_id, desc_id = chart["attrs"]["aria-labelledby"].split()
        assert f'id="{title_id}"' in response.content.decode()
        key = title_id.removeprefix("chart-").removesuffix("-title")
        table = page.tables[key]
        labels, values = chart["texts"][0::2], chart["texts"][1::2]
        assert [row[0] for row in table[1:]] == labels
        column = next(
            i
            for i, cell in enumerate(table[0])
            if i > 0 and all(row[i] == value for row, value in zip(table[1:], values, strict=True))
        )
        assert column >= 1
    baseline = next(c for c in page.charts if "against the baseline" in c["title"])
    assert any("url(#" in rect["fill"] for rect in baseline["rects"])  # hatched, not only a colour


def test_a_suppressed_count_draws_no_bar(client):
    for i in range(3):
        new_case(date(2025, 10, 1 + i))
    for i in range(12):
        new_case(date(2025, 9, 1 + i))
    page, _ = page_for(client, Role.COMMISSIONER, params={"from": "2025-09", "to": "2025-10"})
    chart = next(c for c in page.charts if c["title"] == "New referrals by month")
    assert chart["texts"] == ["September 2025", "10", "October 2025", "*"]
    assert len(chart["rects"]) == 1


# ------------------------------------------------------------------------------------------- period


def test_the_period_filter_shows_the_months_chosen(client, october):
    new_case(date(2025, 9, 10))
    page, _ = page_for(client, Role.PROJECT_MANAGER, params={"from": "2025-09", "to": "2025-09"})
    assert page.figure("headline", "New referrals") == str(
        1 + 5
    )  # 5 of the rehoused were referred in September
    assert [row[0] for row in page.tables["referrals-by-month"][1:]] == ["September 2025"]
    page, _ = page_for(client, Role.PROJECT_MANAGER, params={"from": "2025-09", "to": "2025-10"})
    assert page.figure("headline", "New referrals") == str(12 + 1 + 5)


def test_a_period_that_ends_before_it_starts_is_refused_with_the_choices_kept(client, october):
    _, response = page_for(client, Role.PROJECT_MANAGER, params={"from": "2025-10", "to": "2025-09"})
    body = response.content.decode()
    assert "There is a problem" in body
    assert "must be the same as or after" in body
    assert '<option value="2025-10" selected>' in body


def test_a_month_outside_the_list_is_refused():
    form = PeriodForm({"from": "1999-01", "to": "2025-10"}, months=[date(2025, 10, 1), date(2025, 9, 1)])
    assert not form.is_valid()
    assert "from" in form.errors


def test_the_first_visit_shows_the_last_twelve_months(client):
    page, response = page_for(client, Role.PROJECT_MANAGER, params={})
    assert len(page.tables["referrals-by-month"]) == 1 + 12
    assert "There is a problem" not in response.content.decode()


def test_shown_for_the_service_is_exact():
    assert Shown(exact=True).count(3) == 3
