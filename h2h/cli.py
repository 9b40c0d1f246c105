"""The `h2h` command: Django's management commands under the service's own name (e.g. `h2h seed_demo`)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "h2h.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["h2h", *sys.argv[1:]])
