# Units are managed in the Django admin. Placements and review notes are deliberately not: they are a
# person's record (review notes hold health details), which the administrator role must not read, and every
# change goes through h2h.stepdown.services so that the checks and the audit trail hold.
from django.contrib import admin

from h2h.stepdown.models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "active"]
    list_filter = ["service", "active"]
    search_fields = ["name", "address"]
