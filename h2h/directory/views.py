from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from h2h.directory.models import Contact


@login_required
def contact_list(request):
    """Partner teams and contacts, for staff of the service (no personal data about clients here)."""
    if not request.user.in_service:
        raise Http404
    contacts = Contact.objects.select_related("organisation")
    query = request.GET.get("q", "").strip()
    if query:
        contacts = contacts.filter(
            Q(team_name__icontains=query) | Q(person_name__icontains=query) | Q(what_for__icontains=query)
            | Q(organisation__name__icontains=query)
        )
    return render(request, "directory/list.html", {"contacts": contacts, "q": query})
