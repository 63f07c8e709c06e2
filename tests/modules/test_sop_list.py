"""plugins/filter/sop_list.py: a role's list variable as the list its argument_specs
accepted (`-e name=a,b` gives the string 'a,b')."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleFilterError
from loader import filters

sop_list = filters("sop_list")["sop_list"]


@pytest.mark.parametrize(("value", "expected"), [
    ("/srv/a,/srv/b", ["/srv/a", "/srv/b"]),
    ("webshell", ["webshell"]),
    (["/srv/a,b"], ["/srv/a,b"]),  # a list is kept, its items not split
    ([], []),
    (22, ["22"]),
    (1.5, ["1.5"]),
])
def test_the_list_argument_specs_accepted(value: Any, expected: list[str]) -> None:
    """A string is split at its commas, as a union or an 'in' test did not (they took its
    characters), a number is the list of its text."""
    assert sop_list(value) == expected


@pytest.mark.parametrize(("value", "kind"), [({"a": 1}, "dict"), (None, "NoneType")])
def test_a_value_no_list_is_made_of_is_refused_in_one_line(value: Any, kind: str) -> None:
    with pytest.raises(AnsibleFilterError) as refused:
        sop_list(value)
    assert str(refused.value) == ("sop_list: expected a list, a comma-separated string or a "
                                  f"number, not {kind}")
