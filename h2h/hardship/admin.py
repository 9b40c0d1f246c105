# Budgets are set in the Django admin. Spend requests are deliberately not registered: they belong to a
# person's case, and every change goes through h2h.hardship.services so the budget rule and audit hold.
from django.contrib import admin

from h2h.hardship.models import Budget


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["service", "year_label", "amount"]
    list_filter = ["service", "year"]

    @admin.display(description="Financial year", ordering="year")
    def year_label(self, obj):
        return obj.year_label
