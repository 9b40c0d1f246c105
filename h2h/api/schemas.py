"""Request and response bodies of the REST endpoints (the FHIR router has its own, FHIR's).

The request schemas check only shape and JSON types: which fields there are, which are needed, strings,
numbers, dates. Values (an NHS number's check digit, a real postcode, a choice from a value set, a date in
the past) are checked by the web form's own code (h2h/referrals/forms.py, h2h/hospital/forms.py), so the two
ways in cannot disagree. Value sets are listed in the description as `enum` for client developers, from the
same TextChoices the forms use.
"""

import re
from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from h2h.api import status
from h2h.area import valuesets
from h2h.hospital.models import Extract
from h2h.referrals.models import Referral


def _iso_date_text(value):
    # Only "YYYY-MM-DD": pydantic on its own would also read a number as seconds since 1970.
    if isinstance(value, date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise PydanticCustomError("date_format", "Enter a date as YYYY-MM-DD")


def _blank_is_none(value):
    # An empty form field, or "", is an answer not given, as on the web form.
    return None if value in ("", None) else _iso_date_text(value)


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
OptionalIsoDate = Annotated[date | None, BeforeValidator(_blank_is_none)]
OptionalId = Annotated[int | None, BeforeValidator(lambda value: None if value == "" else value)]


def as_form_data(values: dict) -> dict:
    """JSON answers as the web form posts them: a date as its day, month and year boxes, yes/no for a bool."""
    data = {}
    for name, value in values.items():
        if isinstance(value, date):
            data.update({f"{name}_day": str(value.day), f"{name}_month": str(value.month),
                         f"{name}_year": str(value.year)})
        elif isinstance(value, bool):
            data[name] = "yes" if value else "no"
        elif isinstance(value, int):
            data[name] = str(value)
        elif value is not None:
            data[name] = value
    return data


def _one_of(choices, description: str):
    return Field(..., description=description, json_schema_extra={"enum": list(choices.values)})


def _some_of(choices, description: str, required: bool = True):
    extra = {"items": {"type": "string", "enum": list(choices.values)}}
    if required:
        return Field(..., description=description, json_schema_extra=extra)
    return Field(default_factory=list, description=description, json_schema_extra=extra)


class _Strict(Schema):
    # A misspelt field name is an error rather than an answer silently lost.
    model_config = ConfigDict(extra="forbid")


class PersonIn(_Strict):
    first_name: str
    last_name: str
    date_of_birth: IsoDate
    nhs_number: str = Field("", description="10 digits (spaces allowed), with a valid modulus-11 check digit")
    address_line_1: str
    address_line_2: str = ""
    town: str
    postcode: str = Field(..., description="A real UK postcode, any case and spacing")
    phone: str = ""
    email: str = ""


class ReferralDetailsIn(_Strict):
    setting: str = _one_of(valuesets.Setting, "Where the person is now")
    hospital: str = Field("", description="Needed when the person is in a bed")
    ward: str = ""
    admission_date: OptionalIsoDate = Field(None, description="Needed when the person is in a bed")
    medically_ready_date: OptionalIsoDate = None
    reasons: list[str] = Field(
        ..., description="How their housing affects their health: codes from the area's list (docs/api.md)"
    )
    housing_details: str = ""
    tenure: str = _one_of(valuesets.Tenure, "Current tenure")
    household_size: int = Field(..., description="People to live in the new home, including them (1-15)")
    household_details: str = ""
    has_carer: bool
    carer_details: str = ""
    mobility: str = _one_of(valuesets.Mobility, "Mobility")
    wheelchair_use: str = _one_of(valuesets.WheelchairUse, "Wheelchair use")
    benefits: list[str] = _some_of(valuesets.Benefit, "Disability benefits received", required=False)
    referrer_name: str
    referrer_role: str
    referrer_phone: str
    referrer_email: str = ""
    consent: str = _one_of(Referral.Consent, "Whether the person agreed to the referral")
    consent_sharing: list[str] = _some_of(Referral.Sharing, "What the person agreed we share (housing needed)")
    consent_decision_maker: str = Field("", description="Needed for a best-interests decision")
    consent_notes: str = ""


class ReferralIn(_Strict):
    person: PersonIn
    referral: ReferralDetailsIn

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person": {
                        "first_name": "Ada", "last_name": "Example", "date_of_birth": "1950-03-27",
                        "nhs_number": "999 000 0018", "address_line_1": "1 Test Street", "town": "Nottingham",
                        "postcode": "NG7 2UH",
                    },
                    "referral": {
                        "setting": "acute_hospital", "hospital": "Queen's Medical Centre", "ward": "C52",
                        "admission_date": "2026-01-05", "medically_ready_date": "2026-01-20",
                        "reasons": ["accessibility", "delayed_discharge"], "tenure": "council_tenant",
                        "household_size": 1, "has_carer": False, "mobility": "walking_aid",
                        "wheelchair_use": "occasional", "benefits": ["attendance_allowance"],
                        "referrer_name": "Rita Referrer", "referrer_role": "Discharge coordinator",
                        "referrer_phone": "0115 000 0000", "consent": "given",
                        "consent_sharing": ["housing", "health"],
                    },
                }
            ]
        },
    )


class ReferralStatusOut(Schema):
    reference: str = Field(..., examples=["R000123"])
    status: str = Field(..., json_schema_extra={"enum": list(status.CODES)})
    status_label: str
    received_at: datetime
    updated_on: date = Field(..., description="When the status last changed")


class ReferralPageOut(Schema):
    count: int = Field(..., description="Referrals in all pages")
    page: int
    page_size: int
    items: list[ReferralStatusOut]


class StockImportOut(Schema):
    file: str
    rows: int
    properties_created: int
    properties_updated: int
    properties_unchanged: int
    voids_opened: int
    voids_updated: int
    voids_let: int
    voids_unchanged: int
    summary: str


class ExtractOut(Schema):
    """Read from an Extract (h2h/hospital/models.py), whose fields these are."""

    id: int
    status: str = Field(..., description="applied, rejected (nothing kept) or superseded")
    unchanged: bool = Field(False, description="True when this file was already applied: nothing changed")
    kind: str
    file_format: str
    file_name: str
    provider: str
    period_start: date | None
    period_end: date | None
    uploaded_at: datetime
    replaces: int | None = Field(None, validation_alias="replaces_id",
                                 description="The extract this corrected file superseded")
    rows_read: int
    rows_linked: int
    rows_for_review: int
    rows_already_held: int
    rows_not_ours: int
    rows_no_consent: int
    error_count: int


class KpiColumn(Schema):
    label: str
    kind: str = Field(..., json_schema_extra={"enum": ["text", "count", "days", "percent", "money"]})


class KpiTable(Schema):
    key: str
    caption: str
    columns: list[KpiColumn]
    rows: list[list[int | float | str | None]] = Field(
        ..., description='One list per row, a value per column: a number, "*" (suppressed) or null (none)'
    )
    note: str = ""


class KpiSection(Schema):
    key: str
    title: str
    intro: str = ""
    tables: list[KpiTable]


class KpiReportOut(Schema):
    service: str
    month: str = Field(..., examples=["2026-10"])
    month_start: date
    month_end: date = Field(..., description="The month's last day, or today while the month is running")
    year_to_date_start: date
    complete: bool = Field(..., description="False while the month is still running")
    suppression: str = Field(..., description="The disclosure rule the figures were shown through")
    sections: list[KpiSection]


class ExtractUploadIn(_Strict):
    """The upload's form fields (the file itself is the `file` part)."""

    kind: str = _one_of(Extract.Kind, "What the file holds")
    file_format: str = _one_of(Extract.Format, "The file's format (its name must end .csv, .xlsx or .json)")
    provider: str = Field(..., description="Who sent it, e.g. the trust's information team")
    period_start: OptionalIsoDate = Field(None, description="First day the file covers (default: earliest)")
    period_end: OptionalIsoDate = Field(None, description="Last day the file covers (default: the latest)")
    replaces: OptionalId = Field(None, description="Id of the applied extract this corrected file replaces")
