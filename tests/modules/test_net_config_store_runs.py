"""library/net_config_store.py as it runs on the backup computer: a configuration never
goes into the host's journal."""

from __future__ import annotations

from ansible.module_utils import basic
from loader import load, run_main

store_mod = load("net_config_store")

SECRET = "Rahasia-PPP-7c1e"
EXPORT = f"/ppp secret\nadd name=vpn password={SECRET} service=l2tp\n/system identity\nset name=a\n"


def test_a_configuration_never_reaches_the_hosts_journal(tmp_path, monkeypatch, capsys):
    """Ansible logs a module's options to the host's journal ("Invoked with ..."), a list
    of items as Python prints it: a configuration of several lines was written there
    with its newlines as \\n, no longer the text its no_log masks, so every export went
    into the backup computer's journal in full, its secrets with it."""
    logged: list[str] = []
    monkeypatch.setattr(basic.AnsibleModule, "log",
                        lambda self, msg, log_args=None: logged.append(msg))
    args = {"path": str(tmp_path / "jaringan"),
            "items": [{"name": "rb-a", "content": EXPORT, "kind": "routeros"}]}
    result = run_main("net_config_store", args, monkeypatch, capsys)
    assert result["changed_names"] == ["rb-a"]
    [invoked] = [line for line in logged if line.startswith("Invoked with ")]
    assert SECRET not in invoked and "set name=a" not in invoked
    assert "'name': 'rb-a', 'content': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'" in invoked
    assert (tmp_path / "jaringan" / "rb-a" / "config.txt").read_text() == EXPORT
