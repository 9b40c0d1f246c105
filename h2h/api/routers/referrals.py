"""(stub: being built)"""

from ninja import Router

router = Router(tags=["Referrals"])
