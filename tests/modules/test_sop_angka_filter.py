"""plugins/filter/sop_angka.py: ``sop_angka``, module_utils/sop_bahasa's number forms for
the roles' Bahasa messages, rendered by a real ansible-playbook too."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))


def _plugin() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sop_filter_angka", ROOT / "plugins" / "filter" / "sop_angka.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (1250, None, "1.250"), (93.46, 1, "93,5"), (0.671, None, "0,671"), (26.0, None, "26"),
    (2**63 - 1, None, "9.223.372.036.854.775.807"), (1234567.5, 1, "1.234.567,5"),
    (0, 1, "0,0"), (-1.25, None, "-1,25"),
    (None, None, "?"), ("12", None, "?"), (True, None, "?"), ([], 1, "?"),
])
def test_the_filter_writes_as_module_utils_sop_bahasa(value, decimals, text):
    angka = _plugin().FilterModule().filters()["sop_angka"]
    assert (angka(value) if decimals is None else angka(value, decimals)) == text


def test_a_value_a_module_did_not_return_renders_as_a_question_mark(tmp_path):
    """An assert's success_msg is rendered even when the assert fails: a message naming a
    result field absent in check mode must not replace the task's own failure."""
    play = tmp_path / "play.yml"
    play.write_text("""
- hosts: localhost
  gather_facts: false
  vars:
    r: {verification: {reason: x}, size: 13107200, share: 0.9346}
  tasks:
    - ansible.builtin.debug:
        msg: >-
          {{ r.verification.duration | default(none) | sop_angka }} detik,
          {{ (r.size / 1048576) | sop_angka(1) }} MiB, {{ (r.share * 100) | sop_angka(1) }} %
""", encoding="utf-8")
    proc = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local", str(play)],
                          capture_output=True, text=True, check=False, cwd=ROOT, timeout=300,
                          env=dict(ENV, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json"))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    assert result["msg"] == "? detik, 12,5 MiB, 93,5 %"


def test_ansible_doc_renders_the_filter():
    proc = subprocess.run(["ansible-doc", "-t", "filter", "--json", "sop_angka"],
                          capture_output=True, text=True, check=False, env=ENV, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = next(iter(json.loads(proc.stdout).values()))["doc"]
    assert set(doc["options"]) == {"_input", "decimals"}
