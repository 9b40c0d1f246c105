from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError

from h2h.accounts.models import User
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.lettings.imports import StockImportRefused, max_import_bytes, size_label, stock_import


class Command(BaseCommand):
    help = ("Load a stock-and-voids CSV exported by the housing management system (format: "
            "docs/formats/stock-and-voids-csv.md). All or nothing: any bad row and nothing is saved.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file")
        parser.add_argument("--user", required=True, help="Username of the lettings officer or project "
                                                          "manager loading it (recorded in the audit log)")

    def handle(self, *args, path, user, **options):
        try:
            by = User.objects.select_related("organisation").get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"No user has the username {user!r}") from None
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        # Checked before reading, so a huge file is not read into memory only to be refused.
        limit = max_import_bytes()
        if file.stat().st_size > limit:
            raise CommandError(f"{file.name} is {size_label(file.stat().st_size)}; "
                               f"the limit is {size_label(limit)} (setting H2H_MAX_IMPORT_BYTES)")
        try:
            result = stock_import(file_bytes=file.read_bytes(), filename=file.name, by=by)
        except StockImportRefused as refused:
            raise CommandError(str(refused)) from None
        if not result.ok:
            for error in result.errors:
                where = f"line {error.line}" if error.line else "file"
                column = f", {error.column}" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.reason}")
            if result.rows_checked:
                self.stderr.write(f"{result.rows} rows checked: {result.rows_accepted} accepted, "
                                  f"{result.rows_rejected} rejected.")
            raise CommandError(result.summary())
        # audit_record reads the user, address and path from a request; a command has none of its own.
        stand_in = SimpleNamespace(user=by, META={}, path=f"manage.py import_stock {file.name}")
        audit_record(stand_in, AuditEvent.Action.CHANGE, object_type="stock_import", object_id=file.name[:50],
                     summary=result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
