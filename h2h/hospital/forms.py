"""The upload form and the linkage decision form."""

from pathlib import Path

from django import forms
from django.conf import settings

from h2h.hospital.models import Extract
from h2h.hospital.selectors import applied_extracts
from h2h.lib.forms import DateField

# A web upload is held on disk by Django while it is checked; bigger files go through import_activity.
DEFAULT_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024
EXTENSIONS = {Extract.Format.CSV: (".csv",), Extract.Format.XLSX: (".xlsx",), Extract.Format.FHIR: (".json",)}


def max_upload_bytes() -> int:
    return getattr(settings, "H2H_MAX_ACTIVITY_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def _size(n: int) -> str:
    return f"{n / 1024 ** 3:g} GB" if n >= 1024 ** 3 else f"{n / 1024 ** 2:g} MB"


class ReplacesField(forms.ModelChoiceField):
    def label_from_instance(self, extract):
        period = (f"{extract.period_start:%-d %b %Y} to {extract.period_end:%-d %b %Y}"
                  if extract.period_start and extract.period_end else "no period")
        uploaded = f"{extract.uploaded_at:%-d %b %Y}"
        return f"{extract.get_kind_display()}: {extract.file_name} ({period}), uploaded {uploaded}"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=Extract.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select what the file holds"})
    file_format = forms.ChoiceField(label="File format", choices=Extract.Format.choices,
                                    widget=forms.RadioSelect,
                                    error_messages={"required": "Select the file format"})
    provider = forms.CharField(label="Who sent it", max_length=100,
                               help_text="For example, the trust's information team",
                               error_messages={"required": "Enter who sent the file",
                                               "max_length": "Who sent it must be 100 characters or fewer"})
    period_start = DateField(label="First day the file covers", required=False,
                             help_text="Leave blank to use the earliest date in the file. "
                                       "For example, 1 4 2026")
    period_end = DateField(label="Last day the file covers", required=False,
                           help_text="Leave blank to use the latest date in the file")
    replaces = ReplacesField(label="Does this file correct one already uploaded?", required=False,
                             queryset=Extract.objects.none(), empty_label="No, it is a new file",
                             help_text="A corrected file replaces the earlier one: the earlier file's rows "
                                       "are removed and this file's kept instead")
    file = forms.FileField(label="Upload a file", error_messages={"required": "Select a file",
                                                                  "empty": "The selected file is empty"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = applied_extracts()
        self.fields["file"].help_text = (f"A CSV file, an Excel workbook (.xlsx) or a FHIR bundle (.json), "
                                         f"{_size(max_upload_bytes())} or smaller")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            limit = _size(max_upload_bytes())
            raise forms.ValidationError(f"The selected file must be smaller than {limit}; import bigger "
                                        "files with the import_activity command")
        return upload

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", "The last day the file covers must be on or after the first day")
        replaces, kind = data.get("replaces"), data.get("kind")
        if replaces and kind and replaces.kind != kind:
            self.add_error("replaces", f"The file it corrects must also be a file of "
                                       f"{Extract.Kind(kind).label.lower()}")
        upload, file_format = data.get("file"), data.get("file_format")
        if upload and file_format and Path(upload.name).suffix.lower() not in EXTENSIONS[file_format]:
            label = Extract.Format(file_format).label
            self.add_error("file", f"The selected file must be {label}: its name must end "
                                   f"{' or '.join(EXTENSIONS[file_format])}")
        return data


class DecisionForm(forms.Form):
    NOT_LINKED = "none"

    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 error_messages={"required": "Select a person to link to, or do not link"})
    note = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                           help_text="For example: the day and month of birth are swapped in the file",
                           error_messages={"required": "Say why you made this decision"})

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            *((str(c.person_id), f"Link to {', '.join(c.case_references) or 'the person'} (date of birth on "
                                 f"record {c.date_of_birth:%-d %B %Y})") for c in candidates),
            (self.NOT_LINKED, "Do not link: the rows are discarded"),
        ]

    def person_id(self) -> int | None:
        value = self.cleaned_data["decision"]
        return None if value == self.NOT_LINKED else int(value)
