"""(stub: being built)"""

from ninja import Router

router = Router(tags=["Hospital activity"])
