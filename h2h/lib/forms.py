"""Form pieces that follow the GOV.UK Design System: the three-box date input, and error messages that
name the field the way the page's label does."""

from datetime import date

from django import forms


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input pattern): no date picker, works on any phone."""

    template_name = "govuk/widgets/date.html"

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        widgets = {
            "day": forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
            "month": forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
            "year": forms.TextInput({**box, "class": box["class"] + " govuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    widget = DateInputWidget

    def __init__(self, *, label: str, past_only: bool = False, **kwargs):
        self.past_only = past_only
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, label=label, **kwargs)
        self.error_messages["required"] = f"Enter {label[0].lower() + label[1:]}"
        self.error_messages["incomplete"] = f"{label} must include a day, month and year"

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        label = self.label
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise forms.ValidationError(f"{label} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(f"{label} must be a real date, with a 4-digit year")
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{label} must be a real date") from None
        if self.past_only:
            from django.utils import timezone

            if value > timezone.localdate():
                raise forms.ValidationError(f"{label} must be today or in the past")
        return value


def named_errors(form: forms.Form) -> list[tuple[str, str]]:
    """(anchor id, message) pairs for the error summary, in the order the fields appear."""
    pairs = []
    for name, field in form.fields.items():
        for message in form.errors.get(name, []):
            widget = field.widget
            anchor = form[name].auto_id
            if isinstance(widget, DateInputWidget):
                anchor += "_day"
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                anchor += "_0"
            pairs.append((anchor, message))
    for message in form.non_field_errors():
        pairs.append(("", message))
    return pairs
