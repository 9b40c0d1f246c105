"""The roles people hold in H2H, and what each may see.

REFERRER          health, care or council staff who refer; see only referrals made by their own organisation.
HHC               Housing and Health Coordinator; owns a caseload in the service that employs them.
ADMIN_OFFICER     admin support; data entry and chasing on the service's cases; moves no stage.
HOUSING_MANAGER   signs off fast-track applications; sees the service's cases.
PROJECT_MANAGER   allocates caseloads, covers absence, reports; sees the service's cases.
COMMISSIONER      health partner; aggregate figures only, never a name or NHS number.
EVALUATOR         information team; imports hospital activity and runs the evaluation on pseudonymised data.
LETTINGS_OFFICER  lettings staff of the provider or a partner landlord: load stock and voids, run the weekly
                  lettings cycle, shortlist and offer; see the register, not H2H case records.
ADMINISTRATOR     runs the system: accounts, organisations and the audit log; no case records.
"""

from django.db import models


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    HHC = "hhc", "Housing and Health Coordinator"
    ADMIN_OFFICER = "admin_officer", "Admin support officer"
    HOUSING_MANAGER = "housing_manager", "Housing manager"
    PROJECT_MANAGER = "project_manager", "Project manager"
    COMMISSIONER = "commissioner", "Commissioner"
    EVALUATOR = "evaluator", "Evaluator"
    LETTINGS_OFFICER = "lettings_officer", "Lettings officer"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles working inside the service: they see the service's cases (identifiable data).
SERVICE_ROLES = frozenset({Role.HHC, Role.ADMIN_OFFICER, Role.HOUSING_MANAGER, Role.PROJECT_MANAGER})
# Roles that may key a referral for someone else (a phone or email referral).
REFERRAL_KEYING_ROLES = SERVICE_ROLES | {Role.REFERRER}
# Roles that work the lettings side: stock, voids, the register, shortlists and offers.
LETTINGS_ROLES = SERVICE_ROLES | {Role.LETTINGS_OFFICER}
