"""Load the demo data (h2h/demo/generate.py) and print the demo sign-ins."""

import time

from django.core.management.base import BaseCommand, CommandError

from h2h.demo import generate as demo


class Command(BaseCommand):
    help = "Create demo organisations, sign-ins for each role, a directory and about a year of referrals."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"Seed for the generated data (default {demo.DEFAULT_SEED})",
        )
        parser.add_argument(
            "--referrals",
            type=int,
            default=demo.DEFAULT_REFERRALS,
            help=f"How many referrals to create (default {demo.DEFAULT_REFERRALS})",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Create nothing if the database already has organisations (still print the sign-ins)",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the sign-ins")

    def handle(self, *args, seed, referrals, if_empty, quiet, **options):
        if referrals < 0:
            raise CommandError("--referrals must be 0 or more")
        started = time.monotonic()
        if not demo.database_is_empty():
            if not if_empty:
                raise CommandError(
                    "The database already has organisations. Demo data goes into an empty database; "
                    "use --if-empty to skip quietly."
                )
            if not quiet:
                self.stdout.write("The database already has data: no demo data created.")
        else:
            try:
                demo.generate(seed=seed, referrals=referrals)
            except demo.DemoDataError as error:
                raise CommandError(str(error)) from error
            if not quiet:
                self.stdout.write(self._counts(time.monotonic() - started, seed))
        self.stdout.write(self._logins())

    def _logins(self) -> str:
        rows = demo.demo_logins()
        if not rows:
            return "No demo sign-ins in this database."
        header = ("Username", "Role", "Organisation", "Password")
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
        line = lambda row: "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()  # noqa: E731
        out = ["", "Demo sign-ins (fake data only):", line(header), line(["-" * w for w in widths])]
        out += [line(row) for row in rows]
        out += self._api_tokens()
        return "\n".join(out)

    def _api_tokens(self) -> list[str]:
        """The demo API clients' tokens (published on purpose, fake data only), for docs/api.md's examples."""
        from h2h.api.models import ApiClient
        from h2h.demo.api import CLIENTS

        present = set(ApiClient.objects.filter(revoked_at__isnull=True).values_list("name", flat=True))
        rows = [(name, token) for name, _org, _role, _email, token in CLIENTS if name in present]
        if not rows:
            return []
        width = max(len(name) for name, _ in rows)
        return ["", "Demo API tokens (docs/api.md):", *(f"{name.ljust(width)}  {token}" for name, token in rows)]

    def _counts(self, seconds: float, seed: int) -> str:
        c = demo.summary_counts()
        out = [
            f"Demo data created in {seconds:.1f} s (seed {seed}).",
            f"  Organisations: {c['organisations']} ({c['teams']} teams)   Users: {c['users']}   "
            f"Directory contacts: {c['contacts']}",
            f"  People: {c['people']}   Referrals: {c['referrals']} "
            f"({c['linked referrals']} linked to an open case)"
            f"   Cases: {c['cases']} ({c['unassigned open cases']} open and unassigned)",
            "  Cases by stage:",
        ]
        out += [f"    {label:<28} {count:>4}" for label, count in c["by_stage"]]
        if c["closed_by_reason"]:
            out.append(
                "  Closed, by reason: "
                + ", ".join(f"{label.lower()} {n}" for label, n in c["closed_by_reason"])
            )
        if c["cohorts"]:
            out.append(
                "  Accepted, by cohort: "
                + ", ".join(f"{code} {n}" for code, n in sorted(c["cohorts"].items()))
            )
        if c["rehoused"]:
            out.append(
                f"  Rehoused: {c['rehoused']}, average {c['average_rehousing_days']} days from referral "
                "to tenancy start"
            )
        return "\n".join(out)
