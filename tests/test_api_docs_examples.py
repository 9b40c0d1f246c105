"""The curl examples in docs/api.md run, as written, against the demo service.

The demo data is seeded (h2h/demo/generate.py, with its demo API clients), the application is served on a
real port (pytest-django's live_server), and every ```sh block of the guide runs in one bash session, in
order, as a reader pasting them into a terminal would: the first block sets $H2H (pointed here at the live
server) and the tokens, later blocks use what earlier ones kept (a referral's reference). Each block says, in
a `# → 201` comment per curl call, what status the call answers with; a curl config file (CURL_HOME) makes
every curl report its status on standard error, so the test checks each call without changing the commands.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

from h2h.demo import generate as demo

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "api.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
EXPECTED = re.compile(r"#\s*→\s*(\d{3})\b")
STATUS = re.compile(r"^@@status (\d{3})$", re.M)
MARK = "@@block "


def guide_blocks() -> list[str]:
    return BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def _script(blocks: list[str]) -> str:
    parts = ["set -eu -o pipefail"]
    for n, block in enumerate(blocks):
        parts += [f"echo '{MARK}{n}' >&2", block]
    return "\n".join(parts) + "\n"


def _statuses_by_block(stderr: str, count: int) -> list[list[str]]:
    found: list[list[str]] = [[] for _ in range(count)]
    current = None
    for line in stderr.splitlines():
        if line.startswith(MARK):
            current = int(line[len(MARK):])
        elif (status := STATUS.match(line)) and current is not None:
            found[current].append(status[1])
    return found


def test_the_guide_has_an_example_for_each_use():
    text = "\n".join(guide_blocks())
    uses = ("/api/v1/me", "/api/v1/referrals", "/api/v1/fhir", "/api/v1/fhir/ServiceRequest/",
            "/api/v1/fhir/Task/", "/api/v1/stock/import", "/api/v1/hospital-activity", "/api/v1/kpis?month=")
    for use in uses:
        assert use in text, use
    for block in guide_blocks():
        calls = len(re.findall(r"(?<![\w-])curl ", block))
        assert len(EXPECTED.findall(block)) == calls, f"every curl call needs its '# → status':\n{block}"


@pytest.mark.django_db(transaction=True)
def test_every_example_answers_as_the_guide_says(live_server, tmp_path):
    demo.generate(seed=demo.DEFAULT_SEED, referrals=40)
    blocks = guide_blocks()
    (tmp_path / ".curlrc").write_text('write-out = "%{stderr}@@status %{http_code}\\n"\n')
    env = {**os.environ, "H2H": live_server.url, "CURL_HOME": str(tmp_path), "HOME": str(tmp_path)}
    run = subprocess.run(["bash", "-c", _script(blocks)],  # noqa: S603, S607 - the guide's own commands
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    found = _statuses_by_block(run.stderr, len(blocks))
    for n, block in enumerate(blocks):
        expected = EXPECTED.findall(block)
        assert found[n] == expected, (
            f"docs/api.md block {n + 1}:\n{block}\nexpected {expected}, got {found[n]}\n"
            f"--- stdout ---\n{run.stdout[-4000:]}\n--- stderr ---\n{run.stderr[-4000:]}"
        )
    assert run.returncode == 0, run.stderr[-4000:]
