"""Loading the housing management system's stock-and-voids CSV (h2h/lettings/imports.py,
docs/formats/stock-and-voids-csv.md): checked whole, all or nothing, the same file twice changes nothing."""

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from h2h.accounts.models import Organisation
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.lettings import views_stock
from h2h.lettings.imports import COLUMNS, StockImportRefused, stock_import
from h2h.lettings.models import Application, Hold, Offer, Property, Void
from tests.factories import make_org, make_user

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "formats" / "examples" / "stock-and-voids.csv"
TODAY = timezone.localdate()
D = {n: (TODAY - timedelta(days=n)).isoformat() for n in range(0, 400)}  # D[30] is 30 days ago, yyyy-mm-dd


def row(ref="NCH-1", **overrides) -> dict:
    values = {
        "property_ref": ref, "landlord_code": "NCH", "scheme": "", "address_line_1": "1 Beech Avenue",
        "address_line_2": "", "town": "Nottingham", "postcode": "NG7 2UH", "lettings_area": "Radford",
        "property_type": "flat", "bedrooms": "1", "floor": "0", "has_lift": "no", "wheelchair_standard": "no",
        "level_access_shower": "yes", "ramp": "no", "adapted": "no", "features": "", "min_age": "",
        "weekly_rent": "95.50", "demand": "medium", "empty_on": "", "ready_on": "", "let_on": "",
    }
    values.update(overrides)
    return values


def csv_bytes(*rows, columns=COLUMNS, encoding="utf-8") -> bytes:
    def cell(value):
        value = str(value)
        return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"\n\r') else value
    lines = [",".join(columns)] + [",".join(cell(r.get(c, "")) for c in columns) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def officer(db):
    make_org("NCH")
    make_org("SVH", name="Sherwood Vale Homes", kind=Organisation.Kind.PARTNER_LANDLORD)
    return make_user(Role.LETTINGS_OFFICER)


def load(data: bytes, by, filename="stock.csv"):
    return stock_import(file_bytes=data, filename=filename, by=by)


def good_file() -> bytes:
    return csv_bytes(
        row("NCH-1"),  # occupied: no void
        row("NCH-2", property_type="bungalow", bedrooms="2", empty_on=D[20]),  # empty, repairs under way
        row("SVH-1", landlord_code="SVH", features="hoist_track;concrete_floor",
            empty_on=D[40], ready_on=D[10]),
        row("NCH-3", min_age="60", property_type="independent_living_flat", empty_on=D[90], ready_on=D[60],
            let_on=D[30]),
    )


def snapshot():
    return (list(Property.objects.order_by("ref").values()), list(Void.objects.order_by("id").values()))


def errors_of(result) -> set[tuple]:
    return {(e.line, e.column) for e in result.errors}


# --- a good file --------------------------------------------------------------------------------------------

def test_it_imports_a_good_file_with_exact_counts(officer):
    result = load(good_file(), officer)
    assert result.ok, result.errors
    assert result.applied
    assert (result.rows, result.rows_accepted, result.rows_rejected) == (4, 4, 0)
    assert result.counts == {
        "properties_created": 4, "properties_updated": 0, "properties_unchanged": 0,
        "voids_opened": 2, "voids_updated": 0, "voids_let": 1, "voids_unchanged": 0,
    }
    svh = Property.objects.get(ref="SVH-1")
    assert svh.landlord.code == "SVH"
    assert svh.features == ["concrete_floor", "hoist_track"]
    assert svh.weekly_rent == Decimal("95.50")
    assert not Property.objects.get(ref="NCH-1").voids.exists()
    assert Property.objects.get(ref="NCH-2").voids.get().status == Void.Status.NOT_READY
    assert svh.voids.get().status == Void.Status.READY
    let = Property.objects.get(ref="NCH-3").voids.get()
    assert (let.status, let.let_on, let.ready_on) == (Void.Status.LET, TODAY - timedelta(days=30),
                                                      TODAY - timedelta(days=60))
    assert Property.objects.get(ref="NCH-3").min_age == 60


def test_the_same_file_twice_changes_nothing(officer):
    assert load(good_file(), officer).ok
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        again = load(good_file(), officer)
    assert again.ok
    assert again.counts == {
        "properties_created": 0, "properties_updated": 0, "properties_unchanged": 4,
        "voids_opened": 0, "voids_updated": 0, "voids_let": 0, "voids_unchanged": 3,
    }
    assert snapshot() == before
    writes = [q["sql"] for q in queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_a_corrected_file_updates_only_what_changed(officer):
    assert load(good_file(), officer).ok
    corrected = csv_bytes(
        row("NCH-1", weekly_rent="97.25"),
        row("NCH-2", property_type="bungalow", bedrooms="2", empty_on=D[20], ready_on=D[2]),
        # The same features in another order, with spaces: not a change.
        row("SVH-1", landlord_code="SVH", features=" concrete_floor ; hoist_track",
            empty_on=D[40], ready_on=D[10]),
        row("NCH-3", min_age="60", property_type="independent_living_flat", empty_on=D[90], ready_on=D[60],
            let_on=D[30]),
    )
    result = load(corrected, officer)
    assert result.ok, result.errors
    assert result.counts == {
        "properties_created": 0, "properties_updated": 1, "properties_unchanged": 3,
        "voids_opened": 0, "voids_updated": 1, "voids_let": 0, "voids_unchanged": 2,
    }
    assert Property.objects.get(ref="NCH-1").weekly_rent == Decimal("97.25")
    void = Void.objects.get(property__ref="NCH-2")
    assert (void.status, void.ready_on) == (Void.Status.READY, TODAY - timedelta(days=2))


def test_the_documented_example_file_imports(officer):
    make_org("CMHA", name="Castle Meadow Housing Association", kind=Organisation.Kind.PARTNER_LANDLORD)
    result = load(EXAMPLE.read_bytes(), officer, filename=EXAMPLE.name)
    assert result.ok, result.errors
    assert result.counts["properties_created"] == 6
    assert (result.counts["voids_opened"], result.counts["voids_let"]) == (4, 1)
    assert Property.objects.get(ref="NCH-20003").address_line_2 == "Cedar Road, Radford"


def test_the_documented_columns_are_the_ones_the_code_reads():
    text = (EXAMPLE.parent.parent / "stock-and-voids-csv.md").read_text()
    assert all(f"| `{column}` |" in text for column in COLUMNS)
    assert EXAMPLE.read_text().splitlines()[0] == ",".join(COLUMNS)


def test_it_accepts_utf8_with_a_byte_order_mark_and_columns_in_any_order(officer):
    columns = tuple(reversed(COLUMNS))
    data = b"\xef\xbb\xbf" + csv_bytes(row("NCH-1", address_line_1="1 Café Row"), columns=columns)
    result = load(data, officer)
    assert result.ok, result.errors
    assert Property.objects.get(ref="NCH-1").address_line_1 == "1 Café Row"


def test_it_stores_formula_looking_text_as_text(officer):
    result = load(csv_bytes(row("NCH-1", scheme='=HYPERLINK("http://example.com","x")')), officer)
    assert result.ok, result.errors
    assert Property.objects.get(ref="NCH-1").scheme == '=HYPERLINK("http://example.com","x")'


def test_it_normalises_postcodes_and_yes_no_case(officer):
    assert load(csv_bytes(row("NCH-1", postcode="ng72uh", has_lift="YES")), officer).ok
    home = Property.objects.get(ref="NCH-1")
    assert (home.postcode, home.has_lift) == ("NG7 2UH", True)


# --- a bad file imports nothing and reports every bad row ---------------------------------------------------

def test_a_malformed_file_imports_nothing_and_reports_every_bad_row(officer):
    Property.objects.create(ref="NCH-OLD", landlord=Organisation.objects.get(code="NCH"),
                            address_line_1="Old", town="Nottingham", postcode="NG7 2UH", property_type="flat",
                            bedrooms=1, floor=0, weekly_rent=Decimal("80.00"))
    before = snapshot()
    data = csv_bytes(
        row("NCH-1", postcode="NG7 ZZZ"),                              # line 2
        row("NCH-2", landlord_code="XYZ"),                             # line 3
        row("NCH-3", property_type="castle"),                          # line 4
        row("NCH-4", empty_on="2026-02-30"),                           # line 5
        row("NCH-5", empty_on=D[10], ready_on=D[20]),                  # line 6
        row("NCH-6", town="Notting\x00ham"),                           # line 7
        row("NCH-OLD", weekly_rent="81.00"),                           # line 8: good, but must not be applied
        row("NCH-OLD", bedrooms="two"),                                # line 9: duplicate, and a bad number
        row("NCH-9", empty_on="31/01/2026", has_lift="maybe"),         # line 10: two errors in one row
        row("NCH-10", weekly_rent="£95"),                              # line 11
    )
    result = load(data, officer)
    assert not result.ok
    assert not result.applied
    assert snapshot() == before
    assert errors_of(result) == {
        (2, "postcode"), (3, "landlord_code"), (4, "property_type"), (5, "empty_on"), (6, "ready_on"),
        (7, "town"), (9, "bedrooms"), (9, "property_ref"), (10, "empty_on"), (10, "has_lift"),
        (11, "weekly_rent"),
    }
    assert (result.rows, result.rows_accepted, result.rows_rejected) == (10, 1, 9)
    assert result.rows_accepted + result.rows_rejected == result.rows
    reasons = {(e.line, e.column): e.reason for e in result.errors}
    assert "not a valid UK postcode" in reasons[(2, "postcode")]
    assert "'XYZ'" in reasons[(3, "landlord_code")]
    assert "not a real date" in reasons[(5, "empty_on")]
    assert "before empty_on" in reasons[(6, "ready_on")]
    assert "NUL" in reasons[(7, "town")]
    assert "also on line 8" in reasons[(9, "property_ref")]
    assert "yyyy-mm-dd" in reasons[(10, "empty_on")]
    assert result.counts == dict.fromkeys(result.counts, 0)


def test_it_names_missing_and_unknown_columns(officer):
    columns = tuple(c for c in COLUMNS if c not in {"postcode", "demand"}) + ("post_code",)
    result = load(csv_bytes(row(), columns=columns), officer)
    assert not result.ok and not result.rows_checked
    text = " ".join(e.reason for e in result.errors)
    assert "Missing column(s): postcode, demand." in text
    assert "Unknown column(s): post_code." in text
    assert {e.line for e in result.errors} == {1}
    assert not Property.objects.exists()


def test_it_refuses_a_file_that_is_not_utf8(officer):
    data = csv_bytes(row("NCH-1"), row("NCH-2", address_line_1="1 Café Row"), encoding="latin-1")
    result = load(data, officer)
    assert not result.ok
    [error] = result.errors
    assert error.line == 3
    assert "not UTF-8" in error.reason and "0xE9" in error.reason
    assert not Property.objects.exists()


def test_it_refuses_a_utf16_file(officer):
    result = load(csv_bytes(row(), encoding="utf-16"), officer)
    assert "UTF-16" in result.errors[0].reason


def test_it_refuses_a_semicolon_separated_file(officer):
    data = csv_bytes(row()).replace(b",", b";")
    result = load(data, officer)
    assert not result.ok
    assert "separated by semicolons" in result.errors[0].reason


def test_it_refuses_a_file_larger_than_the_limit(officer, settings):
    settings.H2H_MAX_IMPORT_BYTES = 200
    result = load(good_file(), officer)
    assert not result.ok
    assert "it must be 200 bytes or smaller" in result.errors[0].reason
    assert not Property.objects.exists()


def test_it_refuses_an_empty_file_and_a_header_alone(officer):
    assert "empty" in load(b"", officer).errors[0].reason
    assert "no rows" in load(csv_bytes(), officer).errors[0].reason


def test_line_numbers_count_the_physical_lines_of_a_quoted_line_break(officer):
    data = csv_bytes(row("NCH-1", address_line_2="Flat 1\nBlock B"), row("NCH-2", postcode="nope"))
    result = load(data, officer)
    assert errors_of(result) == {(2, "address_line_2"), (4, "postcode")}


def test_a_row_with_too_few_values_is_reported(officer):
    data = csv_bytes(row("NCH-1")) + b"NCH-2,NCH,short\r\n"
    result = load(data, officer)
    assert errors_of(result) == {(3, "")}
    assert "has 3 values" in result.errors[0].reason


def test_a_date_in_the_future_is_refused(officer):
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    result = load(csv_bytes(row(empty_on=tomorrow)), officer)
    assert errors_of(result) == {(2, "empty_on")}


def test_a_landlord_must_be_a_landlord(officer):
    make_org("NUH")  # an acute trust
    result = load(csv_bytes(row(landlord_code="NUH")), officer)
    assert errors_of(result) == {(2, "landlord_code")}
    assert "not a landlord" in result.errors[0].reason


def test_only_lettings_officers_and_project_managers_of_the_service_may_import(officer):
    with pytest.raises(StockImportRefused):
        load(good_file(), make_user(Role.HHC))
    with pytest.raises(StockImportRefused):
        load(good_file(), make_user(Role.LETTINGS_OFFICER, organisation=make_org("SVH")))
    assert load(good_file(), make_user(Role.PROJECT_MANAGER)).ok



def test_a_clash_with_another_change_saves_nothing_and_says_to_try_again(officer, monkeypatch):
    def clash(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")
    # The properties are written first; the voids then clash, as when another import got there first.
    monkeypatch.setattr(Void.objects, "bulk_create", clash)
    result = load(good_file(), officer)
    assert not result.ok and not result.applied
    assert "at the same time" in result.errors[0].reason
    assert result.summary().startswith("stock.csv: nothing was imported. Another change")
    assert result.counts == dict.fromkeys(result.counts, 0)
    assert not Property.objects.exists()

# --- voids: empty, ready, let -------------------------------------------------------------------------------

def test_a_void_moves_from_empty_to_ready_to_let_and_a_new_void_opens_after(officer):
    first = load(csv_bytes(row(empty_on=D[100])), officer)
    assert first.counts["voids_opened"] == 1
    assert Void.objects.get().status == Void.Status.NOT_READY
    ready = load(csv_bytes(row(empty_on=D[100], ready_on=D[70])), officer)
    assert ready.counts["voids_updated"] == 1
    assert Void.objects.get().status == Void.Status.READY
    let = load(csv_bytes(row(empty_on=D[100], ready_on=D[70], let_on=D[50])), officer)
    assert let.counts["voids_let"] == 1
    void = Void.objects.get()
    assert (void.status, void.let_on) == (Void.Status.LET, TODAY - timedelta(days=50))
    occupied = load(csv_bytes(row()), officer)
    assert occupied.ok and occupied.counts["voids_unchanged"] == 0
    again = load(csv_bytes(row(empty_on=D[5])), officer)
    assert again.counts["voids_opened"] == 1
    assert list(Void.objects.order_by("empty_on").values_list("status", flat=True)) == [
        Void.Status.LET, Void.Status.NOT_READY]


def test_a_corrected_empty_date_corrects_the_open_void(officer):
    load(csv_bytes(row(empty_on=D[30])), officer)
    result = load(csv_bytes(row(empty_on=D[31])), officer)
    assert result.counts["voids_updated"] == 1
    assert Void.objects.get().empty_on == TODAY - timedelta(days=31)


def test_an_import_cannot_undo_a_let(officer):
    load(csv_bytes(row(empty_on=D[100], ready_on=D[70], let_on=D[50])), officer)
    result = load(csv_bytes(row(empty_on=D[100], ready_on=D[70])), officer)
    assert errors_of(result) == {(2, "let_on")}
    assert Void.objects.get().status == Void.Status.LET


def test_a_new_void_may_not_overlap_an_earlier_one(officer):
    load(csv_bytes(row(empty_on=D[100], ready_on=D[70], let_on=D[50])), officer)
    result = load(csv_bytes(row(empty_on=D[60])), officer)
    assert errors_of(result) == {(2, "empty_on")}
    assert "overlaps" in result.errors[0].reason


def test_a_property_shown_occupied_while_h2h_has_it_empty_is_an_error(officer):
    load(csv_bytes(row(empty_on=D[10])), officer)
    result = load(csv_bytes(row()), officer)
    assert errors_of(result) == {(2, "empty_on")}
    assert Void.objects.get().let_on is None


def _application(ref="APP-1") -> Application:
    return Application.objects.create(reference=ref, applicant_name="General Applicant",
                                      date_of_birth=date(1960, 1, 1), band="C", application_date=TODAY,
                                      effective_date=TODAY, status=Application.Status.LIVE)


@pytest.mark.parametrize("status", [Void.Status.ADVERTISED, Void.Status.HELD, Void.Status.OFFERED])
def test_a_let_from_the_hms_for_a_void_h2h_is_letting_is_an_error(officer, status):
    load(csv_bytes(row(empty_on=D[40], ready_on=D[20])), officer)
    Void.objects.update(status=status)
    before = snapshot()
    result = load(csv_bytes(row(empty_on=D[40], ready_on=D[20], let_on=D[1]), row("NCH-2")), officer)
    assert errors_of(result) == {(2, "let_on")}
    assert "being let through H2H" in result.errors[0].reason
    assert snapshot() == before
    # Repeating H2H's dates is fine, and changes nothing.
    same = load(csv_bytes(row(empty_on=D[40], ready_on=D[20])), officer)
    assert same.ok and same.counts["voids_unchanged"] == 1
    assert Void.objects.get().status == status


def test_a_requested_hold_also_protects_a_ready_void(officer):
    load(csv_bytes(row(empty_on=D[40], ready_on=D[20])), officer)
    Hold.objects.create(void=Void.objects.get(), application=_application(), reason="Needs a ground floor",
                        requested_by=make_user(Role.HHC))
    result = load(csv_bytes(row(empty_on=D[40], ready_on=D[19])), officer)
    assert errors_of(result) == {(2, "ready_on")}


def test_a_void_let_through_h2h_may_still_show_empty_in_a_lagging_export(officer):
    load(csv_bytes(row(empty_on=D[40], ready_on=D[20])), officer)
    void = Void.objects.get()
    Offer.objects.create(void=void, application=_application(), kind=Offer.Kind.DIRECT,
                         status=Offer.Status.SIGNED_UP, made_by=officer,
                         tenancy_start=TODAY - timedelta(days=3))
    Void.objects.filter(pk=void.pk).update(status=Void.Status.LET, let_on=TODAY - timedelta(days=3))
    lagging = load(csv_bytes(row(empty_on=D[40], ready_on=D[20])), officer)
    assert lagging.ok, lagging.errors
    assert lagging.counts["voids_unchanged"] == 1
    different = load(csv_bytes(row(empty_on=D[40], ready_on=D[20], let_on=D[2])), officer)
    assert errors_of(different) == {(2, "let_on")}
    assert Void.objects.get().let_on == TODAY - timedelta(days=3)


# --- the long-term flag -------------------------------------------------------------------------------------

def test_the_long_term_flag_follows_the_areas_threshold(officer, monkeypatch):
    area = get_area()
    short = dataclasses.replace(area, lettings=dataclasses.replace(area.lettings, long_term_void_days=30))
    monkeypatch.setattr(views_stock, "get_area", lambda: short)
    load(csv_bytes(row("NCH-1", empty_on=D[30]), row("NCH-2", empty_on=D[31]),
                   row("NCH-3", empty_on=D[200], ready_on=D[190], let_on=D[150])), officer)
    voids = {v.property.ref: v for v in Void.objects.select_related("property")}
    assert views_stock.void_days(voids["NCH-1"], TODAY) == 30
    assert views_stock.void_is_long_term(voids["NCH-1"], TODAY) is False
    assert views_stock.void_is_long_term(voids["NCH-2"], TODAY) is True
    # A let void's days stop at the let date: 50 days, over a threshold of 30.
    assert views_stock.void_days(voids["NCH-3"], TODAY) == 50
    assert views_stock.void_is_long_term(voids["NCH-3"], TODAY) is True
    monkeypatch.setattr(views_stock, "get_area", lambda: area)
    assert views_stock.void_is_long_term(voids["NCH-3"], TODAY) is (50 > area.lettings.long_term_void_days)


# --- the command --------------------------------------------------------------------------------------------

def test_the_command_prints_the_counts_and_records_who_imported(officer, tmp_path):
    path = tmp_path / "stock.csv"
    path.write_bytes(good_file())
    out = StringIO()
    call_command("import_stock", str(path), user=officer.username, stdout=out)
    assert "4 created" in out.getvalue() and "2 opened" in out.getvalue()
    event = AuditEvent.objects.get(object_type="stock_import")
    assert event.username == officer.username and "stock.csv" in event.summary


def test_the_command_prints_every_error_and_fails(officer, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(row("NCH-1", postcode="bad"), row("NCH-2", bedrooms="x")))
    err = StringIO()
    with pytest.raises(CommandError, match="2 of 2 rows have errors"):
        call_command("import_stock", str(path), user=officer.username, stderr=err)
    assert "line 2, postcode:" in err.getvalue()
    assert "line 3, bedrooms:" in err.getvalue()
    assert not Property.objects.exists()
    with pytest.raises(CommandError, match="No user"):
        call_command("import_stock", str(path), user="nobody")
