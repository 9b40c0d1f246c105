"""National value sets used on the referral form and in cohort rules.

These are the same for every area (the words a clinician would use); what an area chooses — its cohorts,
reasons for referral, footprint and intervals — lives in its area file (see docs/configuring-an-area.md).
"""

from django.db import models


class Setting(models.TextChoices):
    """Where the person is now. The bed settings are the ones whose days count as bed days avoided."""

    ACUTE_HOSPITAL = "acute_hospital", "Acute hospital"
    COMMUNITY_HOSPITAL = "community_hospital", "Community or intermediate-care bed"
    MENTAL_HEALTH_WARD = "mental_health_ward", "Mental-health ward"
    STEP_DOWN_UNIT = "step_down_unit", "Step-down unit"
    CARE_HOME = "care_home", "Care home (temporary placement)"
    COMMUNITY = "community", "At home in the community"


BED_SETTINGS = frozenset(
    {
        Setting.ACUTE_HOSPITAL,
        Setting.COMMUNITY_HOSPITAL,
        Setting.MENTAL_HEALTH_WARD,
        Setting.STEP_DOWN_UNIT,
        Setting.CARE_HOME,
    }
)


class Tenure(models.TextChoices):
    OWNER_OCCUPIER = "owner_occupier", "Owns their home"
    PRIVATE_RENTED = "private_rented", "Private rented"
    COUNCIL_TENANT = "council_tenant", "Council or ALMO tenant"
    HOUSING_ASSOCIATION = "housing_association", "Housing association tenant"
    LIVING_WITH_FAMILY = "living_with_family", "Living with family or friends"
    HOMELESS = "homeless", "Homeless or no fixed address"
    OTHER = "other", "Other"


class WheelchairUse(models.TextChoices):
    NONE = "none", "Does not use a wheelchair"
    OCCASIONAL = "occasional", "Uses a wheelchair some of the time"
    ESSENTIAL = "essential", "Essential wheelchair user (indoors and out)"


class Mobility(models.TextChoices):
    INDEPENDENT = "independent", "Walks independently"
    WALKING_AID = "walking_aid", "Walks with an aid"
    LIMITED = "limited", "Very limited mobility, cannot manage stairs"
    BED_BOUND = "bed_bound", "Mostly bed-bound"


class Benefit(models.TextChoices):
    DLA = "dla", "Disability Living Allowance (DLA)"
    PIP = "pip", "Personal Independence Payment (PIP)"
    ATTENDANCE_ALLOWANCE = "attendance_allowance", "Attendance Allowance"


class PropertyType(models.TextChoices):
    INDEPENDENT_LIVING_FLAT = "independent_living_flat", "Independent Living (sheltered) flat"
    BUNGALOW = "bungalow", "Bungalow"
    FLAT = "flat", "Flat"
    HOUSE = "house", "House"
    MAISONETTE = "maisonette", "Maisonette"
