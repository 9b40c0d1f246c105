from django.conf import settings
from django.db import models
from django.db.models import Q

from h2h.accounts.models import Organisation
from h2h.cases.models import Case
from h2h.surveys.items import BASELINE, CARER, FOLLOW_UP, PERSON


class Survey(models.Model):
    """One health and wellbeing survey: the person's (or their carer's) answers at baseline or at follow-up.

    At most one per (case, timepoint, respondent). Baseline is taken at the first visit, follow-up at the
    6-month visit; the carer survey asks only the carer's life satisfaction.
    States: recorded (answers in SurveyAnswer, scores derived from them) or declined (the person declined the
    whole survey: declined_reason says why, there are no answers and no scores).
    The scores are stored when the survey is saved (h2h.surveys.services), from the answers and the EQ-5D value
    set the area used at the time (value_set); they are None when an item they need was not answered.
    """

    class Timepoint(models.TextChoices):
        BASELINE = BASELINE, "Baseline"
        FOLLOW_UP = FOLLOW_UP, "6-month follow-up"

    class Respondent(models.TextChoices):
        PERSON = PERSON, "The person"
        CARER = CARER, "Their carer"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="surveys")
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices)
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    completed_on = models.DateField(help_text="When the survey was done (or declined) with the person")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    value_set = models.CharField(
        max_length=40, blank=True, help_text="EQ-5D value set key used for the index; blank when no EQ-5D was asked"
    )
    declined = models.BooleanField(default=False, help_text="The whole survey was declined")
    declined_reason = models.TextField(blank=True)

    eq5d_index = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    eq_vas = models.PositiveSmallIntegerField(null=True, blank=True)
    swemwbs_raw = models.PositiveSmallIntegerField(null=True, blank=True)
    swemwbs_metric = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["case", "respondent", "timepoint"]
        constraints = [
            models.UniqueConstraint(fields=["case", "timepoint", "respondent"],
                                    name="one_survey_per_case_timepoint"),
            models.CheckConstraint(
                condition=Q(declined=False, declined_reason="")
                | (Q(declined=True) & ~Q(declined_reason="")
                   & Q(eq5d_index__isnull=True, eq_vas__isnull=True, swemwbs_raw__isnull=True,
                       swemwbs_metric__isnull=True)),
                name="declined_survey_has_reason_and_no_scores",
            ),
            models.CheckConstraint(condition=Q(eq_vas__isnull=True) | Q(eq_vas__lte=100),
                                   name="eq_vas_0_to_100"),
            models.CheckConstraint(
                condition=Q(swemwbs_raw__isnull=True) | Q(swemwbs_raw__gte=7, swemwbs_raw__lte=35),
                name="swemwbs_raw_7_to_35",
            ),
        ]

    def __str__(self):
        return f"{self.get_respondent_display()}: {self.get_timepoint_display()}"


class SurveyAnswer(models.Model):
    """One item of a survey. An item is answered (value holds the answer), declined (the person chose not to
    answer) or not answered (left blank): the last two never carry a value, so missing is never read as zero."""

    class Status(models.TextChoices):
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined to answer"
        NOT_ANSWERED = "not_answered", "Not answered"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=40, help_text="Item code from h2h/surveys/items.py")
    status = models.CharField(max_length=20, choices=Status.choices)
    value = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(status="answered", value__isnull=False)
                | (~Q(status="answered") & Q(value__isnull=True)),
                name="answer_value_exactly_when_answered",
            ),
        ]
        indexes = [models.Index(fields=["item", "status"])]

    def __str__(self):
        return f"{self.item}: {self.value if self.status == self.Status.ANSWERED else self.get_status_display()}"


class LicensedWording(models.Model):
    """The wording a licensed service uses for one item: the question, and optionally the answer labels, one a
    line, best first. Entered by the project manager or an administrator under the service's own licence
    (EuroQol registration, the SWEMWBS licence); the project never ships instrument wording."""

    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="survey_wording")
    item = models.CharField(max_length=40, help_text="Item code from h2h/surveys/items.py")
    text = models.TextField(help_text="The question as the licence gives it")
    options = models.TextField(blank=True, help_text="Answer labels, one a line, in the order of the scale")
    licence_reference = models.CharField(max_length=200, help_text="Licence or registration reference")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service", "item"]
        constraints = [models.UniqueConstraint(fields=["service", "item"], name="one_wording_per_item")]

    def __str__(self):
        return f"Wording for {self.item}"

    def option_lines(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]
