"""library/net_linux_router.py: its configuration text from the real ``ip`` in a network
namespace of its own (unshare -rn), and its error line from a real failing command."""

from __future__ import annotations

import json
import shutil

import pytest
from ansible.module_utils import basic
from loader import load

mod = load("net_linux_router")


@pytest.fixture
def module(monkeypatch):
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS",
                        json.dumps({"ANSIBLE_MODULE_ARGS": {}}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    return basic.AnsibleModule(argument_spec={})


def test_a_failing_command_is_one_plain_line(module, capsys):
    ip = shutil.which("ip") or pytest.skip("no ip on this machine")
    with pytest.raises(SystemExit):
        mod.run(module, ip, "nosuchobject")
    msg = json.loads(capsys.readouterr().out)["msg"]
    assert msg == f'{ip} nosuchobject failed: Object "nosuchobject" is unknown, try "ip help".'


def test_a_failing_command_without_output_names_its_exit(module, capsys):
    false = shutil.which("false") or pytest.skip("no false on this machine")
    with pytest.raises(SystemExit):
        mod.run(module, false)
    assert json.loads(capsys.readouterr().out)["msg"] == f"{false} failed: exit 1"
