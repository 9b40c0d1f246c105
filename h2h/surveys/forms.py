"""The survey form, built from the item registry (h2h/surveys/items.py) and the service's licensed wording.

Each item is optional: an item left blank is recorded as "not answered"; "Declined to answer" is an answer of
its own. Neither is ever turned into a number.
"""

from django import forms

from h2h.lib.forms import DateField
from h2h.surveys.items import NUMBER, Item
from h2h.surveys.models import LicensedWording, SurveyAnswer

DECLINED = "declined"
DECLINED_SUFFIX = "_declined"  # the "Declined to answer" box beside a typed-in number
INLINE_LABEL_LENGTH = 12  # answer labels up to this long sit side by side (numbers, yes/no)


class SurveyForm(forms.Form):
    def __init__(self, *args, items: list[Item], eq5d_levels: int, wording: dict[str, LicensedWording], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.eq5d_levels = eq5d_levels
        self.inline: dict[str, bool] = {}
        self.fields["completed_on"] = DateField(label="Date of the survey", past_only=True,
                                                help_text="For example, 27 3 2026")
        for item in items:
            entered = wording.get(item.code)
            scale_hint = item.hint_for(eq5d_levels)
            label = entered.text if entered else item.label
            hint = f"{item.label}. {scale_hint}" if entered else scale_hint
            if item.scale == NUMBER:
                self.fields[item.code] = forms.CharField(
                    label=label, help_text=hint, required=False, max_length=3,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                  "spellcheck": "false"}))
                self.fields[item.code + DECLINED_SUFFIX] = forms.BooleanField(
                    label=f"Declined to answer ({item.label})", required=False)
                continue
            choices = item.choices(eq5d_levels)
            lines = entered.option_lines() if entered else []
            if len(lines) == len(choices):
                choices = [(value, line) for (value, _), line in zip(choices, lines, strict=True)]
            self.inline[item.code] = all(len(text) <= INLINE_LABEL_LENGTH for _, text in choices)
            self.fields[item.code] = forms.ChoiceField(
                label=label, help_text=hint, required=False, widget=forms.RadioSelect,
                choices=[(str(value), text) for value, text in choices] + [(DECLINED, "Declined to answer")],
                error_messages={"invalid_choice": f"Select an answer for {item.label}, or ‘Declined to answer’"})

    def sections(self) -> list[tuple[str, list[tuple]]]:
        """(section title, [(field, declined box or None, inline)]) in the registry's order, for the template."""
        grouped: list[tuple[str, list[tuple]]] = []
        for item in self.items:
            if not grouped or grouped[-1][0] != item.section:
                grouped.append((item.section, []))
            declined = self[item.code + DECLINED_SUFFIX] if item.scale == NUMBER else None
            grouped[-1][1].append((self[item.code], declined, self.inline.get(item.code, False)))
        return grouped

    def clean(self):
        data = super().clean()
        self.answers: dict[str, tuple[str, int | None]] = {}
        for item in self.items:
            raw = data.get(item.code)
            if item.scale == NUMBER:
                low, high = item.range_for(self.eq5d_levels)
                text, declined = (raw or "").strip(), data.get(item.code + DECLINED_SUFFIX)
                if text and declined:
                    self.add_error(item.code, f"Enter {item.label} or select ‘Declined to answer’, not both")
                elif declined:
                    self.answers[item.code] = (SurveyAnswer.Status.DECLINED, None)
                elif text:
                    if not text.isdigit() or not low <= int(text) <= high:
                        self.add_error(item.code, f"{item.label} must be a whole number from {low} to {high}")
                    else:
                        self.answers[item.code] = (SurveyAnswer.Status.ANSWERED, int(text))
                else:
                    self.answers[item.code] = (SurveyAnswer.Status.NOT_ANSWERED, None)
            elif raw == DECLINED:
                self.answers[item.code] = (SurveyAnswer.Status.DECLINED, None)
            elif raw:
                self.answers[item.code] = (SurveyAnswer.Status.ANSWERED, int(raw))
            elif item.code not in self.errors:
                self.answers[item.code] = (SurveyAnswer.Status.NOT_ANSWERED, None)
        if not self.errors and not any(s == SurveyAnswer.Status.ANSWERED for s, _ in self.answers.values()):
            self.add_error(None, "Enter at least one answer. If the person declined the whole survey, "
                                 "record that instead.")
        return data

    def answer_rows(self) -> list[tuple[str, str, str]]:
        """(item code, label, answer as shown) for the check-your-answers page."""
        rows = []
        for item in self.items:
            status, value = self.answers[item.code]
            if status == SurveyAnswer.Status.ANSWERED:
                label = dict(self.fields[item.code].choices).get(str(value), "") if item.scale != NUMBER else ""
                shown = f"{value}: {label}" if label and label != str(value) else str(value)
            else:
                shown = SurveyAnswer.Status(status).label
            rows.append((item.code, item.label, shown))
        return rows


class DeclineForm(forms.Form):
    completed_on = DateField(label="Date they declined", past_only=True, help_text="For example, 27 3 2026")
    reason = forms.CharField(label="Why was the survey declined?", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="In a few words, for example ‘did not want to’ or ‘too unwell today’",
                             error_messages={"required": "Say why the survey was declined"})


class WordingForm(forms.Form):
    text = forms.CharField(label="Question wording", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="As your licence gives it. Leave empty to remove the wording and show the "
                                     "neutral label again.")
    options = forms.CharField(label="Answer labels (optional)", required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))
    licence_reference = forms.CharField(
        label="Licence or registration reference", required=False, max_length=200,
        help_text="For example your EuroQol licence or SWEMWBS registration number")

    def __init__(self, *args, item: Item, eq5d_levels: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = len(item.choices(eq5d_levels))
        if item.scale == NUMBER:
            del self.fields["options"]
        else:
            scale = item.hint_for(eq5d_levels) or "as listed"
            self.fields["options"].help_text = (
                f"One a line, {self.levels} lines, in the order of the scale ({scale}). Leave empty to show the "
                "scale's numbers or neutral labels.")

    def clean(self):
        data = super().clean()
        if data.get("text", "").strip() and not data.get("licence_reference", "").strip():
            self.add_error("licence_reference", "Enter the licence or registration reference")
        lines = [line for line in data.get("options", "").splitlines() if line.strip()]
        if lines and len(lines) != self.levels:
            self.add_error("options", f"Enter {self.levels} answer labels, one a line, or leave this empty")
        return data
