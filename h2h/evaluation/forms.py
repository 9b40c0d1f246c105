import re
from datetime import date
from decimal import Decimal

from django import forms

from h2h.evaluation.costbook import PRICE_YEAR
from h2h.evaluation.models import AvoidedOutcome
from h2h.evaluation.stakeholders import Funder, FundingKind, Stakeholder
from h2h.lib.forms import DateField
from h2h.reports import kpis

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_MONTHS = 60


def _month_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=7, help_text="Year and month, for example 2025-11",
                           error_messages={"required": f"Enter the month {label.lower()}"})


class PeriodForm(forms.Form):
    """Whole months, from and to, read from the address (?from=2025-11&to=2026-10) so a period can be shared."""

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["from"] = _month_field("From")
        self.fields["to"] = _month_field("To")

    def _month(self, name: str) -> date | None:
        value = self.cleaned_data.get(name, "").strip()
        if not MONTH.match(value):
            self.add_error(name, f"Enter the month {name} as a year and month, like 2025-11")
            return None
        return date.fromisoformat(value + "-01")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start, end = self._month("from"), self._month("to")
        if start and end:
            if start > end:
                self.add_error("to", "The month to must be the same as or after the month from")
            elif (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
                self.add_error("to", f"A period can be at most {MAX_MONTHS} months")
            else:
                cleaned["period"] = kpis.Period.months(start, end)
        return cleaned


def _money(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=12, decimal_places=2, min_value=Decimal("0"), help_text=help_text,
        error_messages={"required": f"Enter the {label.lower()}",
                        "invalid": f"Enter the {label.lower()} as a number, like 5419 or 32.14",
                        "min_value": f"The {label.lower()} cannot be negative",
                        "max_decimal_places": f"The {label.lower()} can have at most 2 decimal places",
                        "max_digits": f"The {label.lower()} is too large"})


class CostItemForm(forms.Form):
    stakeholder = forms.ChoiceField(label="Who bears this cost when it is avoided", choices=Stakeholder.choices)
    description = forms.CharField(label="Description", max_length=300,
                                  error_messages={"required": "Enter a description"})
    value = _money("Value", required=False,
                   help_text="In pounds (weeks for the weeks of rent gained). Leave it empty if nobody has checked a "
                             "figure yet: the evaluation then shows the count without a value.")
    unit = forms.CharField(label="Unit", max_length=100, help_text="For example, per bed day",
                           error_messages={"required": "Enter the unit"})
    price_year = forms.CharField(label="Price year", max_length=20, required=False, help_text="For example, 2024/25")
    source = forms.CharField(label="Source", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Publication, table or dataset, so someone else can check the figure")
    edition = forms.CharField(label="Edition", max_length=200, required=False)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="How sure the figure is, and any caveat")
    change_reason = forms.CharField(label="Why are you changing it?", max_length=300,
                                    error_messages={"required": "Enter why you are changing the cost"})

    def clean(self):
        data = super().clean()
        if data.get("value") is not None:
            if not data.get("source", "").strip():
                self.add_error("source", "Enter the source of the value")
            if not data.get("price_year", "").strip():
                self.add_error("price_year", "Enter the price year of the value, like 2024/25")
        if data.get("price_year") and not PRICE_YEAR.match(data["price_year"]):
            self.add_error("price_year", "Enter the price year like 2024/25 or 2024")
        return data


class FundingForm(forms.Form):
    funder = forms.ChoiceField(label="Funder", choices=Funder.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Select the funder"})
    kind = forms.ChoiceField(label="What it paid for", choices=FundingKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select what it paid for"})
    period_start = DateField(label="Start of the period it covers")
    period_end = DateField(label="End of the period it covers")
    amount = _money("Amount")
    description = forms.CharField(label="Description", max_length=300, required=False,
                                  help_text="For example, the contract or grant it came from")

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start")
        if data.get("amount") == 0:
            self.add_error("amount", "The amount must be more than £0")
        return data


QUANTITY_LABELS = {
    AvoidedOutcome.Kind.ADAPTATION: ("How many adaptations the old home would have needed",
                                     "For example, 2 for a stairlift and a level-access shower"),
    AvoidedOutcome.Kind.HOMELESSNESS: ("Households", "Always 1"),
    AvoidedOutcome.Kind.SOCIAL_CARE: ("Home care hours a week avoided or reduced",
                                      "The difference between the care the person would have needed in the old home "
                                      "and what they need now"),
}


class AvoidedOutcomeForm(forms.Form):
    on = DateField(label="When it was avoided", past_only=True, help_text="Usually the tenancy start date")
    note = forms.CharField(label="Why you judge it avoided", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="For example, the OT's assessment of the old home. "
                                     "Do not put health details here.",
                           error_messages={"required": "Enter why you judge it avoided"})

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != AvoidedOutcome.Kind.HOMELESSNESS:
            label, hint = QUANTITY_LABELS[kind]
            self.fields["quantity"] = forms.DecimalField(
                label=label, help_text=hint, max_digits=7, decimal_places=2, min_value=Decimal("0.01"),
                error_messages={"required": f"Enter {label[0].lower() + label[1:]}",
                                "invalid": "Enter a number, like 2 or 7.5",
                                "min_value": "Enter a number more than 0",
                                "max_decimal_places": "Use at most 2 decimal places"})
            self.order_fields(["quantity", "on", "note"])


class WellbeingUploadForm(forms.Form):
    file = forms.FileField(label="Wellbeing values file (CSV)",
                           help_text="The format is described in the guide: outcome, value, deadweight_percent, "
                                     "source, licence",
                           error_messages={"required": "Choose the CSV file to load"})


class ExportForm(forms.Form):
    shift_dates = forms.BooleanField(label="Shift each person's dates by a random number of days (up to 30, the same "
                                           "for all of that person's dates)", required=False)
