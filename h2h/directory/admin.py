from django.contrib import admin

from h2h.directory.models import Contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("team_name", "organisation", "person_name", "phone", "email")
    search_fields = ("team_name", "person_name", "what_for")
