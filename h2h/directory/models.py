from django.db import models

from h2h.accounts.models import Organisation


class Contact(models.Model):
    """A partner team or person HHCs work with: a discharge team, an OT service, a furniture charity…"""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contacts")
    team_name = models.CharField("Team or service", max_length=200)
    person_name = models.CharField("Contact name", max_length=200, blank=True)
    what_for = models.CharField("What they help with", max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation__name", "team_name"]

    def __str__(self):
        return f"{self.team_name}, {self.organisation}"
