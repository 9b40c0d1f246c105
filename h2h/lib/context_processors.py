from django.urls import reverse

from h2h.accounts.roles import SERVICE_ROLES, Role
from h2h.area.config import get_area


MANAGERS = frozenset({Role.HOUSING_MANAGER, Role.PROJECT_MANAGER})


def _nav_for(user) -> list[tuple[str, str]]:
    if not user.is_authenticated:
        return []
    items = []
    if user.role == Role.REFERRER:
        items += [("Your referrals", reverse("referrals:list")), ("Make a referral", reverse("referrals:start"))]
    if user.role == Role.LETTINGS_OFFICER:
        items += [("Voids", reverse("lettings:voids")), ("Lettings cycle", reverse("lettings:cycle"))]
    if user.role in SERVICE_ROLES:
        if user.role == Role.HHC:
            items.append(("My caseload", reverse("cases:caseload")))
            items.append(("My work", reverse("support:my-work")))
        if user.role == Role.PROJECT_MANAGER:
            items.append(("Team caseloads", reverse("cases:team")))
            items.append(("Team work", reverse("support:team")))
        if user.role == Role.HOUSING_MANAGER:
            items.append(("Sign-off queue", reverse("lettings:signoff-queue")))
        if user.role in {Role.HOUSING_MANAGER, Role.PROJECT_MANAGER}:
            items.append(("Panel review", reverse("lettings:panel")))
        items += [
            ("All cases", reverse("cases:list")),
            ("Referrals", reverse("referrals:list")),
            ("Voids", reverse("lettings:voids")),
            *([("Repairs", reverse("repairs:list"))] if user.role != Role.HOUSING_MANAGER else []),
            ("Step-down flats", reverse("stepdown:board")),
            ("Hardship fund", reverse("hardship:queue" if user.role in MANAGERS else "hardship:ledger")),
            ("Directory", reverse("directory:list")),
        ]
    if user.role in {Role.HHC, Role.LETTINGS_OFFICER}:
        items.append(("Offers", reverse("lettings:offer-list")))
    if user.role == Role.HOUSING_MANAGER:
        items.append(("Holds to decide", reverse("lettings:holds")))
    if user.role in {Role.COMMISSIONER, Role.EVALUATOR, Role.PROJECT_MANAGER}:
        items.append(("Service overview", reverse("cases:overview")))
        items.append(("KPI dashboard", reverse("reports:dashboard")))
        items.append(("Hospital activity", reverse("outcomes:before-after")))
        if user.role in {Role.EVALUATOR, Role.PROJECT_MANAGER}:
            items.append(("Hospital files", reverse("hospital:extracts")))
        items.append(("Survey results", reverse("surveys:results")))
        items.append(("Annual evaluation", reverse("evaluation:evaluation")))
    if user.role in {Role.PROJECT_MANAGER, Role.ADMINISTRATOR}:
        items.append(("Survey wording", reverse("surveys:wording")))
        items.append(("Emails to referrers", reverse("notifications:list")))
    if user.role == Role.ADMINISTRATOR:
        items += [("Audit log", reverse("audit:search")), ("Accounts", reverse("admin:index"))]
        items.append(("API clients", reverse("api_clients:list")))
    return items


def service(request):
    area = get_area()
    items = _nav_for(request.user)
    # The current section is the longest link the page's address starts with (so /cases/caseload/ marks
    # "My caseload", not "All cases" as well).
    matches = [href for _, href in items if request.path.startswith(href)]
    current = max(matches, key=len, default=None)
    nav = [{"label": label, "href": href, "active": href == current} for label, href in items]
    return {"area": area, "service_name": area.service_name, "nav_items": nav}
