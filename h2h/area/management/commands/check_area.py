from django.core.management.base import BaseCommand, CommandError

from h2h.area.config import AreaConfigError, load_area


class Command(BaseCommand):
    help = "Check an area file (cohorts, footprint, intervals) and print what it configures."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path to the area's TOML file")

    def handle(self, *args, path, **options):
        try:
            area = load_area(path)
        except AreaConfigError as error:
            raise CommandError(str(error)) from None
        out = self.stdout
        out.write(f"{area.name}: {area.service_name}, run by organisation '{area.service_organisation}'")
        out.write(f"Baseline wait {area.baseline_wait_days} days; follow-ups at {area.first_follow_up_days} days "
                  f"and {area.second_follow_up_months} months")
        out.write(f"Footprint: {', '.join(area.footprint)}")
        out.write(f"Reasons: {', '.join(area.reasons)}")
        for cohort in area.cohorts:
            out.write(f"Cohort {cohort.code} ({cohort.name}) → {', '.join(cohort.property_types)}")
            for rule in cohort.rules:
                out.write(f"  - {rule.label}")
        out.write(self.style.SUCCESS("The area file is valid."))
