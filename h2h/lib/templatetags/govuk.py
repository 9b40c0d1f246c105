"""Template tags that render Django form fields with GOV.UK Design System markup."""

from django import forms, template

from h2h.lib.forms import DateInputWidget, named_errors

register = template.Library()


def _kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


@register.inclusion_tag("govuk/field.html")
def govuk_field(field, width="", legend_size="s", inline=False):
    """Label, hint, error message and control for one field; width is a govuk-input--width-N or -!-width class."""
    kind = _kind(field)
    classes = {
        "input": "govuk-input",
        "textarea": "govuk-textarea",
        "select": "govuk-select",
        "file": "govuk-file-upload",
    }.get(kind, "")
    if classes:
        if field.errors:
            classes += f" {classes}--error"
        if width:
            classes += f" {width}"
        field.field.widget.attrs["class"] = classes
    if field.help_text:
        field.field.widget.attrs["aria-describedby"] = f"{field.auto_id}-hint"
    return {"field": field, "kind": kind, "legend_size": legend_size, "inline": inline}


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(*forms_):
    errors = []
    for form in forms_:
        if form is not None and form.is_bound:
            errors.extend(named_errors(form))
    return {"errors": errors}


@register.filter
def choice_label(value, choices):
    """Label for a stored choice value (or each value of a list), from a choices list or TextChoices."""
    mapping = dict(getattr(choices, "choices", choices))
    if isinstance(value, list | tuple):
        return ", ".join(str(mapping.get(v, v)) for v in value) or "None"
    return mapping.get(value, value)
