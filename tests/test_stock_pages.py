"""The stock and voids pages: the voids list, a property's history, and loading the HMS file."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from h2h.accounts.models import Organisation
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.lettings import views_stock
from h2h.lettings.models import Property, Void
from tests.factories import make_org, make_user
from tests.test_stock_import import D, csv_bytes, good_file, row

TODAY = timezone.localdate()
VOIDS = reverse("lettings:voids")
IMPORT = reverse("lettings:stock-import")


@pytest.fixture
def officer(db):
    make_org("NCH")
    make_org("SVH", name="Sherwood Vale Homes", kind=Organisation.Kind.PARTNER_LANDLORD)
    return make_user(Role.LETTINGS_OFFICER)


def home(ref="NCH-1", **fields) -> Property:
    values = dict(landlord=make_org("NCH"), address_line_1="7 Rowan Close", town="Nottingham",
                  postcode="NG6 8QT", property_type="bungalow", bedrooms=2, floor=0,
                  weekly_rent=Decimal("99.00"))
    values.update(fields)
    return Property.objects.create(ref=ref, **values)


def void(days_empty: int, **fields) -> Void:
    home_ = fields.pop("property", None) or home()
    return Void.objects.create(property=home_, empty_on=TODAY - timedelta(days=days_empty), **fields)


def upload(client, data: bytes, name="stock.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


# --- loading the file ---------------------------------------------------------------------------------------

def test_the_upload_page_loads_a_good_file_and_shows_the_counts(client, officer):
    client.force_login(officer)
    page = client.get(IMPORT)
    assert page.status_code == 200
    assert b'type="file"' in page.content and b'enctype="multipart/form-data"' in page.content
    response = upload(client, good_file())
    assert response.status_code == 200
    text = response.content.decode()
    assert "stock.csv loaded: 4 rows" in text
    assert "4 created" in text and "2 opened" in text and "1 let" in text
    assert Property.objects.count() == 4
    event = AuditEvent.objects.get(object_type="stock_import")
    assert event.username == officer.username and event.action == AuditEvent.Action.CHANGE
    # The same file again: all unchanged.
    again = upload(client, good_file()).content.decode()
    assert "4 unchanged" in again and "3 unchanged" in again


def test_the_upload_page_lists_every_error_and_loads_nothing(client, officer):
    client.force_login(officer)
    data = csv_bytes(row("NCH-1", postcode="NG7 ZZZ"), row("NCH-2"),
                     row("NCH-3", empty_on=D[5], ready_on=D[9]))
    response = upload(client, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "The file was not imported: 2 rows have errors" in text
    assert "&#x27;NG7 ZZZ&#x27; is not a valid UK postcode" in text
    assert "before empty_on" in text
    # Line, column and reason in the table; accepted + rejected = rows.
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in text
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">4</td>' in text
    assert '<td class="govuk-table__cell">ready_on</td>' in text
    assert "Rows checked</dt><dd class=\"govuk-summary-list__value\">3<" in text
    assert "Rows without errors</dt><dd class=\"govuk-summary-list__value\">1<" in text
    assert "Rows with errors</dt><dd class=\"govuk-summary-list__value\">2<" in text
    assert not Property.objects.exists()
    assert not AuditEvent.objects.filter(object_type="stock_import").exists()


def test_a_file_that_cannot_be_read_is_reported_as_a_whole(client, officer):
    client.force_login(officer)
    text = upload(client, csv_bytes(row(address_line_1="Café"), encoding="latin-1")).content.decode()
    assert "the file could not be read" in text
    assert "not UTF-8" in text


@pytest.mark.parametrize(("name", "data", "message"), [
    ("stock.xlsx", b"PK\x03\x04", "The selected file must be a CSV"),
    ("stock.csv", b"", "The selected file is empty"),
])
def test_the_upload_page_checks_the_file_before_reading_it(client, officer, name, data, message):
    client.force_login(officer)
    text = upload(client, data, name=name).content.decode()
    assert message in text and "There is a problem" in text


def test_the_upload_page_refuses_a_file_over_the_limit(client, officer, settings):
    settings.H2H_MAX_IMPORT_BYTES = 100
    client.force_login(officer)
    text = upload(client, good_file()).content.decode()
    assert "The selected file must be smaller than 100 bytes" in text
    assert not Property.objects.exists()


def test_a_project_manager_may_load_stock_and_an_hhc_may_not(client, officer):
    client.force_login(make_user(Role.PROJECT_MANAGER))
    assert client.get(IMPORT).status_code == 200
    client.force_login(make_user(Role.HHC))
    assert client.get(IMPORT).status_code == 404
    assert upload(client, good_file()).status_code == 404
    assert client.get(VOIDS).status_code == 200  # HHCs look for homes for their cases
    assert not Property.objects.exists()


@pytest.mark.parametrize("who", ["referrer", "commissioner", "other_landlord_officer", "administrator"])
def test_other_roles_and_organisations_get_not_found(client, officer, who):
    user = {
        "referrer": lambda: make_user(Role.REFERRER),
        "commissioner": lambda: make_user(Role.COMMISSIONER, organisation=make_org("ICB")),
        "other_landlord_officer": lambda: make_user(Role.LETTINGS_OFFICER, organisation=make_org("SVH")),
        "administrator": lambda: make_user(Role.ADMINISTRATOR),
    }[who]()
    property_url = reverse("lettings:property-detail", args=[void(10).property_id])
    client.force_login(user)
    for url in (VOIDS, IMPORT, property_url):
        assert client.get(url).status_code == 404, url
    assert upload(client, good_file()).status_code == 404
    assert Property.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(VOIDS)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


# --- the voids page -----------------------------------------------------------------------------------------

def test_the_voids_page_shows_void_days_and_the_long_term_tag(client, officer, monkeypatch):
    area = get_area()
    monkeypatch.setattr(views_stock, "get_area", lambda: dataclasses.replace(
        area, lettings=dataclasses.replace(area.lettings, long_term_void_days=60)))
    void(60, property=home("NCH-SHORT"))
    void(61, property=home("NCH-LONG"), status=Void.Status.READY, ready_on=TODAY - timedelta(days=3))
    void(200, property=home("NCH-LET"), status=Void.Status.LET, ready_on=TODAY - timedelta(days=150),
         let_on=TODAY - timedelta(days=100))
    client.force_login(officer)
    text = client.get(VOIDS).content.decode()
    assert "2 empty homes, 1 of them long-term (empty more than 60 days)" in text
    assert "NCH-LET" not in text  # let voids are not open
    long_row = text[text.index("NCH-LONG"):]
    long_row = long_row[: long_row.index("</tr>")]
    empty_since = f"empty since {TODAY - timedelta(days=61):%-d %b %Y}"
    assert f"<strong>61</strong><br><span class=\"govuk-!-font-size-16\">{empty_since}</span>" in long_row
    assert "<strong class=\"govuk-tag govuk-tag--red\">Long-term</strong>" in long_row
    assert "Ready to let" in long_row
    short_row = text[text.index("NCH-SHORT"):]
    short_row = short_row[: short_row.index("</tr>")]
    assert "<strong>60</strong>" in short_row and "Long-term" not in short_row
    # The longest empty is listed first.
    assert text.index("NCH-LONG") < text.index("NCH-SHORT")

    only_long = client.get(VOIDS, {"long_term": "on"}).content.decode()
    assert "NCH-LONG" in only_long and "NCH-SHORT" not in only_long
    not_ready = client.get(VOIDS, {"status": "not_ready"}).content.decode()
    assert "NCH-SHORT" in not_ready and "NCH-LONG" not in not_ready
    flats = client.get(VOIDS, {"type": "flat"}).content.decode()
    assert "No voids match" in flats


def test_the_property_page_shows_the_home_and_its_void_history(client, officer):
    house = home("NCH-7", features=["concrete_floor"], min_age=55)
    void(300, property=house, status=Void.Status.LET, ready_on=TODAY - timedelta(days=280),
         let_on=TODAY - timedelta(days=250))
    void(12, property=house)
    client.force_login(officer)
    response = client.get(reverse("lettings:property-detail", args=[house.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "NCH-7" in text and "concrete_floor" in text and "55 and over" in text
    assert text.count("Not yet") == 2  # the open void: not ready, not let
    assert ">50<" in text  # the let void stood empty 50 days
    assert text.index(">12<") < text.index(">50<")  # latest first
