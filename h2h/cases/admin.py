# Cases are deliberately not in the Django admin: every change goes through h2h.cases.services so that the
# transition table, history and audit trail hold.
