"""Demo data for the annual evaluation: the shipped cost book, funding for the last two years, and avoided
outcomes recorded on some of the people rehoused. Called by h2h.demo.generate after the cases exist.

No wellbeing values are made up: the demo shows the social value section as the service would see it before
loading its own (licensed) values.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Min

from h2h.accounts.models import Organisation, User
from h2h.accounts.roles import Role
from h2h.area.valuesets import Tenure
from h2h.cases.models import CaseEvent
from h2h.cases.stages import Stage
from h2h.evaluation.costbook import SHIPPED_COST_BOOK, load_cost_book
from h2h.evaluation.models import AvoidedOutcome, Funding

# A year's funding, about the size of Nottingham's service (seed 000: £5.4m of value at £11.42 net per £1).
YEARLY = (("nhs", "staff", "380000", "ICB contract: coordinators, project management and admin"),
          ("council", "staff", "40000", "Adult social care contribution"),
          ("housing_provider", "hardship_fund", "15000", "Hardship fund"))
NOTES = {
    AvoidedOutcome.Kind.ADAPTATION: "OT assessed the old home: stairlift and level-access shower needed there; "
                                    "the new home already has them.",
    AvoidedOutcome.Kind.HOMELESSNESS: "Notice to quit on the private let; rehoused before the notice ended.",
    AvoidedOutcome.Kind.SOCIAL_CARE: "Evening and weekend calls no longer needed on the ground floor.",
}


def seed_evaluation(*, seed: int, today: date, service: Organisation) -> dict:
    rng = random.Random(seed)
    load_cost_book(SHIPPED_COST_BOOK.read_bytes(), file_name=SHIPPED_COST_BOOK.name)
    manager = User.objects.filter(organisation=service, role=Role.PROJECT_MANAGER).first()
    funding = 0
    if manager is not None:
        for years_back in (1, 0):
            start = date(today.year - years_back - (1 if today.month < 4 else 0), 4, 1)
            end = date(start.year + 1, 3, 31)
            for funder, kind, amount, description in YEARLY:
                Funding.objects.create(funder=funder, kind=kind, period_start=start, period_end=end,
                                       amount=Decimal(amount), description=description, entered_by=manager)
                funding += 1
    starts = (CaseEvent.objects.filter(case__service=service, kind=CaseEvent.Kind.STAGE,
                                       to_stage=Stage.TENANCY_START)
              .values("case_id", "case__assigned_to_id", "case__referral__tenure").annotate(on=Min("on"))
              .order_by("case_id"))
    outcomes = []
    for row in starts:
        by = row["case__assigned_to_id"] or (manager.pk if manager else None)
        if by is None or row["on"] > today:
            continue
        kinds = []
        if rng.random() < 0.30:
            kinds.append((AvoidedOutcome.Kind.ADAPTATION, Decimal(rng.choice((1, 1, 2, 3)))))
        if row["case__referral__tenure"] in (Tenure.HOMELESS, Tenure.PRIVATE_RENTED) and rng.random() < 0.5:
            kinds.append((AvoidedOutcome.Kind.HOMELESSNESS, Decimal(1)))
        if rng.random() < 0.15:
            kinds.append((AvoidedOutcome.Kind.SOCIAL_CARE, Decimal(rng.choice((3, 5, 7, 10, 14)))))
        for kind, quantity in kinds:
            outcomes.append(AvoidedOutcome(case_id=row["case_id"], kind=kind, quantity=quantity,
                                           on=min(row["on"] + timedelta(days=rng.randint(0, 14)), today),
                                           note=NOTES[kind], recorded_by_id=by))
    AvoidedOutcome.objects.bulk_create(outcomes)
    return {"funding_rows": funding, "avoided_outcomes": len(outcomes)}
