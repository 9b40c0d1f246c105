"""The [[task_templates]] table of the area file: it loads, and each mistake names the key."""

import pytest

from h2h.area.config import AreaConfigError, load_area
from tests.test_area_config import OTHER_AREA, write


def load_error(tmp_path, text) -> str:
    with pytest.raises(AreaConfigError) as error:
        load_area(write(tmp_path, text))
    return str(error.value)


def test_it_loads_the_task_templates(tmp_path):
    area = load_area(write(tmp_path, OTHER_AREA))
    assert [t.code for t in area.task_templates] == ["dehumidifier", "keys"]
    assert [t.code for t in area.tasks_for("tenancy_start", "tenants_in_damp")] == ["dehumidifier"]
    assert area.tasks_for("tenancy_start", "young_disabled") == []
    assert [t.code for t in area.tasks_for("offer", "young_disabled")] == ["keys"]


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('stage = "tenancy_start"', 'stage = "moved_in"', ["dehumidifier", "'stage'"]),
        ('stage = "tenancy_start"', 'stage = "closed"', ["'stage'"]),
        ('cohorts = ["tenants_in_damp"]', 'cohorts = ["older_people"]', ["'cohorts'", "older_people"]),
        ('cohorts = ["tenants_in_damp"]', 'cohorts = "tenants_in_damp"', ["'cohorts'"]),
        ("due_days = 2", "due_days = -1", ["'due_days'"]),
        ("due_days = 2", 'due_days = "two"', ["'due_days'"]),
        ('title = "Dehumidifier fitted"\n', "", ["'title'", "missing"]),
        ('code = "keys"', 'code = "dehumidifier"', ["task_templates", "dehumidifier"]),
        ("due_days = 5", "due_days = 5\ndue_weeks = 1", ["task_templates[2]", "due_weeks"]),
    ],
)
def test_a_mistake_names_the_key(tmp_path, old, new, words):
    assert old in OTHER_AREA
    message = load_error(tmp_path, OTHER_AREA.replace(old, new, 1))
    for word in words:
        assert word in message


def test_the_table_is_required(tmp_path):
    text = OTHER_AREA.split("[[task_templates]]")[0]
    assert "task_templates" in load_error(tmp_path, text)
    assert load_area(write(tmp_path, "task_templates = []\n" + text)).task_templates == ()
