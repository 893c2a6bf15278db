"""quizzes.classroom.settings: a config table overrides the defaults, and bad entries are named."""

import pytest

from quizzes.classroom import Settings


def test_a_config_table_overrides_only_what_it_names():
    settings = Settings.from_mapping({"retention_days": 2, "sqlite_path": "/tmp/c.sqlite"})
    assert settings.retention_days == 2.0 and settings.sqlite_path == "/tmp/c.sqlite"
    assert settings.max_students == Settings().max_students


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({"retention": 2}, "no setting 'retention'"),
        ({"max_students": "many"}, "max_students must be like its default"),
        ({"max_students": 2.5}, "max_students must be like its default"),
        ({"retention_days": -1}, "retention_days must be like its default"),
        ({"student_poll_s": True}, "student_poll_s must be like its default"),
        ({"sqlite_path": 3}, "sqlite_path must be like its default"),
    ],
)
def test_a_bad_entry_is_refused_with_its_name(raw, says):
    with pytest.raises(ValueError, match=says):
        Settings.from_mapping(raw)
