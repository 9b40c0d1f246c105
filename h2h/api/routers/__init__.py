"""(URL prefix, router) pairs mounted on the API, in the order they appear in its description."""

from h2h.api.routers import clients, fhir, hospital, kpis, referrals, stock

ROUTERS = [
    ("/", clients.router),
    ("/referrals", referrals.router),
    ("/stock", stock.router),
    ("/hospital-activity", hospital.router),
    ("/kpis", kpis.router),
    ("/fhir", fhir.router),
]
