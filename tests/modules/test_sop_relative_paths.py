"""plugins/filter/sop_relative_paths.py: the lines refusing a role's path settings that are
not absolute (each role's checks.yml; tests/modules/test_role_relative_paths.py runs the
roles)."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleFilterError
from ansible.plugins.test import files
from loader import filters

relative_paths = filters("sop_relative_paths")["sop_relative_paths"]


def line(name: str, path: str) -> str:
    return f"pengaturan salah: {name}: expected an absolute path, got '{path}'"


def test_each_relative_path_in_the_order_of_the_settings_and_their_paths() -> None:
    settings = {"b_dir": "rel/b", "a_dir": "/abs", "c_list": ["x", "/y", ["z"]],
                "d_by_group": {"web": ["/var/www"], "sipp": ["srv", "/srv"]}}
    assert relative_paths(settings) == [line("b_dir", "rel/b"), line("c_list", "x"),
                                        line("c_list", "z"), line("d_by_group", "srv")]


@pytest.mark.parametrize(("value", "expected"), [
    ("/,var/lib/mysql", ["var/lib/mysql"]),  # -e name=/,var/lib/mysql: split at its commas
    (["/,var"], []),  # a list is kept, its items not split
    (22, ["22"]),
])
def test_a_paths_setting_is_the_list_argument_specs_accepted(value: Any,
                                                             expected: list[str]) -> None:
    assert relative_paths({"disk_paths": value}) == [line("disk_paths", p) for p in expected]


def test_any_other_setting_is_one_path() -> None:
    """Not split at a comma: a directory's name may have one."""
    assert relative_paths({"store_path": "/a,b"}) == []
    assert relative_paths({"store_path": "a,/b"}) == [line("store_path", "a,/b")]


def test_nulls_are_skipped_as_flatten_skips_them() -> None:
    assert relative_paths({"a_dir": None, "b_list": [None, "null", "rel"]}) == [
        line("b_list", "rel")]


def test_a_value_that_cannot_be_rendered_is_left_to_its_task() -> None:
    """The role gives it as default([]): no path, no line."""
    assert relative_paths({"local_dir": [], "disk_paths": []}) == []


def test_empty_is_refused_unless_it_means_none() -> None:
    settings = {"local_dir": "", "removable_path": "", "ca_file": ""}
    assert relative_paths(settings, empty_ok=["removable_path", "ca_file"]) == [
        line("local_dir", "")]
    assert relative_paths(settings) == [line(name, "") for name in settings]


@pytest.mark.parametrize("path", ["/", "//srv", "/srv/../x", "", ".", "~/x", "srv",
                                  " /srv", "C:\\x"])
def test_absolute_as_ansibles_abs_test_says(path: str) -> None:
    absolute = files.TestModule().tests()["abs"](path)
    assert relative_paths({"a_dir": path}) == ([] if absolute else [line("a_dir", path)])


@pytest.mark.parametrize(("value", "kind"), [(["/a"], "list"), ("/a", "str")])
def test_settings_not_given_by_name_are_refused_in_one_line(value: Any, kind: str) -> None:
    with pytest.raises(AnsibleFilterError) as refused:
        relative_paths(value)
    assert str(refused.value) == ("sop_relative_paths: the input must be the settings by "
                                  f"name (a dict), not {kind}")


def test_a_paths_setting_no_list_is_made_of_is_refused_as_sop_list_refuses_it() -> None:
    with pytest.raises(AnsibleFilterError) as refused:
        relative_paths({"disk_paths": None})
    assert str(refused.value) == ("sop_list: expected a list, a comma-separated string or a "
                                  "number, not NoneType")
