from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError

from h2h.accounts.models import User
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.evaluation.costbook import load_cost_book


class Command(BaseCommand):
    help = ("Load unit costs into the cost book from a CSV file (format: docs/formats/cost-book-csv.md), e.g. "
            "h2h/evaluation/data/cost_book_nottingham.csv. All or nothing; a row equal to the current cost "
            "changes nothing, any other adds a new version.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file")
        parser.add_argument("--user", help="Username recorded as having made the change (optional)")

    def handle(self, *args, path, user=None, **options):
        by = None
        if user:
            try:
                by = User.objects.get(username=user)
            except User.DoesNotExist:
                raise CommandError(f"No user has the username {user!r}") from None
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        result = load_cost_book(file.read_bytes(), file_name=file.name, by=by)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(result.summary())
        if by is not None and (result.added or result.changed):
            stand_in = SimpleNamespace(user=by, META={}, path=f"manage.py load_cost_book {file.name}")
            audit_record(stand_in, AuditEvent.Action.CHANGE, object_type="cost_book", object_id=file.name[:50],
                         summary=result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
