"""The base of every command model (HTTP bodies and NATS request arguments alike).

Unknown fields are refused (mass assignment), every string is bounded, and no string may hold NUL
or another control character: PostgreSQL's text cannot store NUL (it would answer 500) and SQLite
would store what no page can show. Lists carry their own bounds where they are declared.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from shared.platform.i18n import _

MAX_TEXT = 2_000  # no field of any command is longer; most declare a tighter bound
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, newline and carriage return are text


def refuse_control(value: Any) -> Any:
    """Raise for a string (anywhere inside lists and dicts) that holds a control character."""
    if isinstance(value, str):
        if CONTROL.search(value):
            raise ValueError(_("Holds a control character such as NUL"))
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            refuse_control(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            refuse_control(k)
            refuse_control(v)
    return value


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, str_max_length=MAX_TEXT)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return refuse_control(value)
