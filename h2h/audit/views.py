from datetime import datetime, time

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.lib.forms import DateField
from h2h.lib.identifiers import nhs_number_normalise


class AuditSearchForm(forms.Form):
    person = forms.CharField(label="Person: NHS number, case reference (H2H-…) or person number", required=False)
    username = forms.CharField(label="User name", required=False)
    date_from = DateField(label="From", required=False)
    date_to = DateField(label="To", required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "'To' must be on or after 'From'")
        return data


def _person_ids(term: str) -> list[int]:
    from h2h.cases.models import Case
    from h2h.referrals.models import Person

    term = term.strip()
    if term.upper().startswith("H2H-") and term[4:].isdigit():
        return list(Case.objects.filter(pk=int(term[4:])).values_list("person_id", flat=True))
    digits = nhs_number_normalise(term)
    if len(digits) == 10 and digits.isdigit():
        return list(Person.objects.filter(nhs_number=digits).values_list("pk", flat=True))
    if digits.isdigit():
        return [int(digits)]
    return []


@login_required
def audit_search(request):
    """Search the audit trail by person, user and date (administrators only)."""
    if request.user.role != Role.ADMINISTRATOR:
        raise Http404
    form = AuditSearchForm(request.GET or None)
    events = AuditEvent.objects.select_related("user")
    if form.is_valid():
        data = form.cleaned_data
        if data["person"]:
            events = events.filter(person_id__in=_person_ids(data["person"]))
        if data["username"]:
            events = events.filter(username__iexact=data["username"].strip())
        zone = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.filter(at__gte=datetime.combine(data["date_from"], time.min, zone))
        if data["date_to"]:
            events = events.filter(at__lte=datetime.combine(data["date_to"], time.max, zone))
    elif form.is_bound:
        events = AuditEvent.objects.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/search.html", {"form": form, "page": page, "query": query.urlencode()})
