# ======================================================================================================
# Browser tests (Playwright + Debian's Chromium). Kept first in this file; other fixtures go further down.
# pytest-playwright drives /usr/bin/chromium (apt package `chromium`, installed by bin/test) instead of
# downloading its own browser, which this machine cannot do. Tests that use `page` should be marked
# @pytest.mark.browser and use `live_server` together with `transactional_db`.
# ======================================================================================================
import os

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in the test thread, which makes Django refuse ORM calls
# (SynchronousOnlyOperation) unless this is set. bin/test sets it too; this covers a bare `pytest`.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("H2H_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # --no-sandbox: tests run as root in CI. The rest stop Chromium's calls to Google's hosts, which this
        # machine's closed network refuses (noisy and slow otherwise).
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


# ======================================================================================================
# End of the browser-test section.
# ======================================================================================================


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; tests create many users and none tests the hasher itself.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Whole-site crawls (every page as several roles) check rendered HTML and URLs, which are the same on both
# databases: they run once, on PostgreSQL (production's database), to keep the suite within CI's time.
crawl_once = pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="whole-site crawl: run once, on PostgreSQL (the pages are the same on both databases)",
)
