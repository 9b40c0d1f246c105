"""Template tags that render Django form fields with GOV.UK Design System markup."""

from django import forms, template

from h2h.lib.forms import DateInputWidget, named_errors

register = template.Library()


def _kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it is tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
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
    widget = field.field.widget
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
        widget.attrs["class"] = classes
    # No autofocus (Django's login form sets it): it takes focus from the error summary and skips the page's context.
    widget.attrs.pop("autofocus", None)
    if kind == "date":
        # The day, month and year boxes keep their own width classes; mark them all when the date is wrong.
        for box in widget.widgets:
            names = [c for c in box.attrs.get("class", "").split() if c != "govuk-input--error"]
            if field.errors:
                names.append("govuk-input--error")
            box.attrs["class"] = " ".join(names)
    # Hint and error message ids, read out with the control (GOV.UK puts them on the fieldset for groups).
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    describedby = " ".join(described)
    if kind in {"input", "textarea", "select", "file"} and describedby:
        widget.attrs["aria-describedby"] = describedby
    else:
        widget.attrs.pop("aria-describedby", None)
    return {"field": field, "kind": kind, "legend_size": legend_size, "inline": inline, "describedby": describedby}


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
        return "; ".join(str(mapping.get(v, v)) for v in value) or "None"
    return mapping.get(value, value)
