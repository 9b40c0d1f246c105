from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from h2h.accounts.models import Organisation, Team, User


@admin.register(User)
class H2HUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("H2H", {"fields": ("organisation", "team", "role", "job_title", "phone")}),)
    list_display = ("username", "first_name", "last_name", "organisation", "role", "is_active")
    list_filter = ("role", "organisation", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")
