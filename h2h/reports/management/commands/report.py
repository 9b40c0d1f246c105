"""`h2h report monthly 2026-10 --format pdf --output FILE`: a report from the command line, audited as an
export."""

import getpass
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from h2h.accounts.models import Organisation
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.reports.figures import Shown
from h2h.reports.monthly import NoSuchMonth, build_monthly_report

MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


class Command(BaseCommand):
    help = "Write a report: `report monthly YYYY-MM --format pdf|xlsx|html [--output FILE] [--published]`."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["monthly"], help="Which report (monthly management report)")
        parser.add_argument("month", help="The month, as YYYY-MM (e.g. 2026-10)")
        parser.add_argument("--format", dest="fmt", choices=["pdf", "xlsx", "html"], default="pdf")
        parser.add_argument(
            "--output", help="File to write (default: h2h-monthly-report-YYYY-MM.<format> here)"
        )
        parser.add_argument(
            "--published",
            action="store_true",
            help="The version for readers outside the service (commissioner): small numbers suppressed",
        )
        parser.add_argument(
            "--service", help="Code of the service organisation (default: the area's service_organisation)"
        )

    def handle(self, *args, kind, month, fmt, output, published, service, **options):
        match = MONTH.match(month)
        if not match:
            raise CommandError(f"The month must be written YYYY-MM (e.g. 2026-10), not {month!r}.")
        code = service or get_area().service_organisation
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            raise CommandError(f"There is no organisation with the code {code!r}.")
        try:
            report = build_monthly_report(
                organisation, int(match[1]), int(match[2]), Shown(exact=not published)
            )
        except NoSuchMonth as error:
            raise CommandError(str(error)) from error

        if fmt == "pdf":
            from h2h.reports.pdf import monthly_report_pdf

            content = monthly_report_pdf(report)
        elif fmt == "xlsx":
            from h2h.reports.xlsx import monthly_report_xlsx

            content = monthly_report_xlsx(report)
        else:
            from h2h.reports.pdf import monthly_report_html

            content = monthly_report_html(report).encode()
        path = Path(output or f"{report.filename_stem}.{fmt}")
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Could not write {path}: {error.strerror}") from error
        # Nobody is signed in at the command line: the audit names the operating-system account instead.
        AuditEvent.objects.create(
            user=None,
            username=f"command line ({getpass.getuser()})"[:150],
            action=AuditEvent.Action.EXPORT,
            object_type="report",
            object_id=f"monthly-{report.slug}",
            summary=f"Monthly management report {report.month.start:%B %Y} as {fmt.upper()} "
            f"({report.audience}) written to {path.name}"[:300],
            path=f"h2h report {kind} {month} --format {fmt}{' --published' if published else ''}",
        )
        self.stdout.write(
            f"Wrote {path} ({len(content):,} bytes): {report.title}, {report.audience.lower()}."
        )
