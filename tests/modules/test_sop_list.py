"""plugins/filter/sop_list.py: a role's list variable as the list its argument_specs
accepted (`-e name=a,b` gives the string 'a,b'), and the empty names or names with a
space around them that key=value gives it (sop_list_names_error)."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleFilterError
from loader import filters

sop_list = filters("sop_list")["sop_list"]
sop_list_names_error = filters("sop_list")["sop_list_names_error"]


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


EMPTY = "an empty name (svc= given as key=value gives one; [] names none)"
SPACED = "has a space before or after it (given as key=value, no space after the commas: a,b)"


@pytest.mark.parametrize(("value", "said"), [
    ("", EMPTY),  # -e svc=
    ("nginx,", EMPTY),
    (["nginx", ""], EMPTY),
    ("nginx, php8.2-fpm", f"' php8.2-fpm' {SPACED}"),
    (["nginx "], f"'nginx ' {SPACED}"),
    (["\tnginx"], f"'\\tnginx' {SPACED}"),
    (["", " web"], EMPTY),  # the first
])
def test_an_empty_or_spaced_name_is_refused_naming_the_variable(value: Any, said: str) -> None:
    assert sop_list_names_error(value, "svc") == {"msg": f"svc: {said}", "setting": "svc"}


@pytest.mark.parametrize("value", ["nginx,php8.2-fpm", ["web@1", "db"], [], 22, [None, 3]])
def test_names_without_a_space_around_them_pass(value: Any) -> None:
    """Entries that are no text (null, a number) are left to the setting's other checks."""
    assert sop_list_names_error(value, "svc") is None


def test_a_name_that_is_no_text_is_refused_in_one_line() -> None:
    with pytest.raises(AnsibleFilterError) as refused:
        sop_list_names_error(["nginx"], None)
    assert str(refused.value) == "sop_list_names_error: name must be a string, not NoneType"
