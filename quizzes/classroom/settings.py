"""A live class's limits and retention: defaults here, overridden by the app's config.

The page reads `[live_class]` in `.streamlit/secrets.toml` (Streamlit's config.toml takes no
options of an app's own), e.g. `retention_days = 2`; `Settings.from_mapping` refuses unknown
names and values of the wrong kind with one sentence. Left out: the database's address, which
is Streamlit's `[connections.class_db]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Settings:
    """Limits of the live class, each with a default fit for one lecture hall."""

    retention_days: float = 7.0  # classes and their answers are deleted this long after starting
    class_hours: float = 12.0  # a class its host never ended takes no writes after this long
    max_open_classes: int = 50  # classes running at once on one database
    max_students: int = 300  # per class: a large lecture hall
    nickname_chars: int = 24
    join_failures: int = 40  # wrong codes from one address within the window (a hall is one NAT)
    failure_window_s: float = 600.0
    grace_s: float = 2.0  # an answer sent this long after a countdown's end still counts
    student_poll_s: float = 1.5  # a phone asks this often whether the class changed (its CPU)
    host_poll_s: float = 2.0  # the host's counts refresh this often
    sqlite_path: str = "var/live_class.sqlite"  # relative to the repository; gitignored

    @classmethod
    def from_mapping(cls, raw: Mapping) -> Settings:
        """Settings from a config table; ValueError names the first bad entry."""
        known = {f.name: f for f in fields(cls)}
        values = {}
        for name, value in raw.items():
            if name not in known:
                raise ValueError(f"[live_class] has no setting {name!r}.")
            default = getattr(cls, name)
            kind = type(default)
            ok = (
                isinstance(value, str)
                if kind is str
                else (isinstance(value, int | float) and not isinstance(value, bool) and value > 0)
            )
            if not ok or (kind is int and value != int(value)):
                raise ValueError(f"[live_class] {name} must be like its default, {default!r}.")
            values[name] = kind(value)
        return cls(**values)
