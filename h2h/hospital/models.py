"""Hospital activity extracts sent by the hospital's information team, and the rows kept from them.

Only rows for people the service knows (a valid NHS number held on a person with consent to link for the
evaluation) are kept; everything else in a file is counted and discarded, so the service never holds
hospital activity for people it does not work with. See docs/adr/0007-hospital-activity.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Extract(models.Model):
    """One uploaded file. Applied whole or not at all; a corrected file supersedes the one it replaces."""

    class Kind(models.TextChoices):
        ADMISSIONS = "admissions", "Admissions"
        ATTENDANCES = "attendances", "A&E attendances"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"
        FHIR = "fhir", "FHIR R4 Encounter bundle (JSON)"

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected: nothing imported"
        SUPERSEDED = "superseded", "Superseded by a corrected file"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_format = models.CharField(max_length=10, choices=Format.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the file's bytes: the same file twice is spotted")
    size_bytes = models.BigIntegerField()
    provider = models.CharField(max_length=100, help_text="Who sent it, e.g. the trust's information team")
    period_start = models.DateField(null=True, blank=True, help_text="First day the file covers")
    period_end = models.DateField(null=True, blank=True, help_text="Last day the file covers")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by",
        help_text="The earlier file this corrected file supersedes",
    )
    # What happened to the file's rows (all zero for a rejected file apart from rows_read).
    rows_read = models.PositiveIntegerField(default=0)
    rows_linked = models.PositiveIntegerField(default=0, help_text="Kept and linked to a person automatically")
    rows_for_review = models.PositiveIntegerField(default=0, help_text="Kept, waiting for a linkage decision")
    rows_already_held = models.PositiveIntegerField(default=0, help_text="Identical rows already held: not added")
    rows_not_ours = models.PositiveIntegerField(default=0, help_text="No person with this NHS number: discarded")
    rows_no_consent = models.PositiveIntegerField(default=0, help_text="Person has not agreed to linkage: discarded")
    # Every bad row as {"line": n, "column": "…", "reason": "…"}; a file-level problem has line 0.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} file {self.file_name}"


class ActivityRow(models.Model):
    """Fields shared by admissions and attendances. person is empty while a linkage decision is waiting.

    row_key identifies the row's content (a hash of its values and how many identical rows came before it in
    the same file), so re-importing a file, or a later file repeating the same rows, adds nothing.
    """

    # A file can add a million rows at once, so the database does as little per row as it safely can:
    # - no foreign key constraints in the database (db_constraint=False): PostgreSQL would check each row's
    #   extract and person one by one when the import commits, which took longer than the rest of the import.
    #   The rows are only ever written by h2h/hospital/imports.py, with the extract it has just saved and
    #   people read in the same import; Django still protects and cascades as declared (in Python);
    # - no index on person alone: the (person, date) index of each table serves every lookup by person.
    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    person = models.ForeignKey("referrals.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", db_index=False, db_constraint=False)
    nhs_number = models.CharField(max_length=10)
    date_of_birth = models.DateField(help_text="As given in the file")
    row_key = models.CharField(max_length=48)  # unique: see Meta (a constraint, so PostgreSQL gets one index)
    line = models.PositiveIntegerField(help_text="Where the row was in the file (line, spreadsheet row or entry)")

    class Meta:
        abstract = True
        # A constraint rather than unique=True: on PostgreSQL, unique=True also builds a second index for
        # LIKE searches, which nothing here makes and every inserted row would pay for.
        constraints = [models.UniqueConstraint(fields=["row_key"], name="%(class)s_row_key_unique")]


class Admission(ActivityRow):
    admitted_on = models.DateField()
    discharged_on = models.DateField()
    emergency = models.BooleanField(help_text="Emergency (non-elective) admission; false for elective")
    excess_bed_days = models.PositiveIntegerField(default=0)

    class Meta(ActivityRow.Meta):
        indexes = [models.Index(fields=["person", "admitted_on"])]
        constraints = [
            *ActivityRow.Meta.constraints,
            models.CheckConstraint(condition=Q(discharged_on__gte=models.F("admitted_on")),
                                   name="admission_discharged_after_admitted"),
        ]

    @property
    def bed_days(self) -> int:
        return (self.discharged_on - self.admitted_on).days


class Attendance(ActivityRow):
    """An A&E (emergency department) attendance."""

    attended_on = models.DateField()

    class Meta(ActivityRow.Meta):
        indexes = [models.Index(fields=["person", "attended_on"])]


class LinkReview(models.Model):
    """An NHS number in a file that could not be linked automatically: someone decides.

    One per (extract, NHS number, date of birth in the file). Nothing ever links by name.
    """

    class Reason(models.TextChoices):
        DOB_MISMATCH = "dob_mismatch", "Date of birth does not match the person's record"
        SEVERAL_PEOPLE = "several_people", "NHS number is held on more than one person's record"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a decision"
        LINKED = "linked", "Linked"
        NOT_LINKED = "not_linked", "Not linked: rows discarded"

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="reviews")
    nhs_number = models.CharField(max_length=10)
    date_of_birth = models.DateField(help_text="As given in the file")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    candidates = models.ManyToManyField("referrals.Person", related_name="+")
    rows = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    person = models.ForeignKey("referrals.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["extract", "nhs_number", "date_of_birth"], name="one_review_per_number"),
        ]
