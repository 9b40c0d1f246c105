"""Import a hospital activity extract from the command line (no web upload limit or time-out)."""

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError

from h2h.accounts.models import User
from h2h.hospital.access import may_upload
from h2h.hospital.imports import import_extract
from h2h.hospital.models import Extract


class Command(BaseCommand):
    help = ("Import a hospital activity extract (formats: docs/formats/hospital-admissions.md, "
            "ae-attendances.md, hospital-activity-fhir.md). All or nothing: any bad row and nothing is kept.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file")
        parser.add_argument("--kind", required=True, choices=Extract.Kind.values)
        parser.add_argument("--format", required=True, choices=Extract.Format.values)
        parser.add_argument("--provider", required=True, help="Who sent it: the trust's information team")
        parser.add_argument("--user", required=True, help="Username of the evaluator importing it (audited)")
        parser.add_argument("--replaces", type=int, help="Id of the applied extract this file corrects")
        parser.add_argument("--period-start", type=date.fromisoformat, help="First day covered, yyyy-mm-dd")
        parser.add_argument("--period-end", type=date.fromisoformat, help="Last day covered, yyyy-mm-dd")

    def handle(self, *args, path, kind, provider, user, replaces, period_start, period_end, **options):
        by = User.objects.filter(username=user).first()
        if by is None or not may_upload(by):
            raise CommandError(f"{user!r} is not an active evaluator: only evaluators import hospital "
                               "activity")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        earlier = None
        if replaces is not None:
            earlier = Extract.objects.filter(pk=replaces, kind=kind, status=Extract.Status.APPLIED).first()
            if earlier is None:
                raise CommandError(f"There is no applied {kind} extract with the id {replaces}")
        if period_start and period_end and period_start > period_end:
            raise CommandError("--period-start is after --period-end")
        # The audit trail reads the user and path from a request; a command has none of its own.
        stand_in = SimpleNamespace(user=by, META={}, path=f"manage.py import_activity {file.name}"[:300])
        extract = import_extract(file, kind=kind, file_format=options["format"], file_name=file.name,
                                 provider=provider, uploaded_by=by, period_start=period_start,
                                 period_end=period_end, replaces=earlier, request=stand_in)
        if extract.unchanged:
            self.stdout.write(f"{file.name} is the same file as extract {extract.pk}, already applied: "
                              "nothing changed.")
            return
        if extract.status == Extract.Status.REJECTED:
            for error in extract.errors:
                where = f"line {error['line']}" if error["line"] else "file"
                column = f", {error['column']}" if error["column"] else ""
                self.stderr.write(f"{where}{column}: {error['reason']}")
            hidden = extract.error_count - len(extract.errors)
            if hidden:
                self.stderr.write(f"… and {hidden} more errors, not listed.")
            raise CommandError(f"{file.name}: {extract.error_count} error(s) in {extract.rows_read} rows; "
                               f"nothing was imported (extract {extract.pk}).")
        self.stdout.write(self.style.SUCCESS(
            f"{file.name}: applied as extract {extract.pk}, {extract.period_start} to {extract.period_end}. "
            f"{extract.rows_read} rows: {extract.rows_linked} linked, {extract.rows_for_review} for review, "
            f"{extract.rows_already_held} already held, {extract.rows_not_ours} not the service's people, "
            f"{extract.rows_no_consent} without consent to linkage."))
