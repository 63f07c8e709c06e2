#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a UPS through Network UPS Tools (upsc) and grade its state."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ups_status
short_description: Read a UPS through Network UPS Tools (upsc) and grade its state
description:
  - Asks a NUT server (C(upsd)) with C(upsc) for the UPS O(ups) and reports its status,
    charge, runtime and load.
  - Grades it like the SOP does - online is C(ok), on battery (C(OB)) or on bypass
    (C(BYPASS), the load not protected) is C(warning), low battery (C(LB)), replace
    battery (C(RB)), overload (C(OVER)), forced shutdown (C(FSD)), off (C(OFF)) or an
    active alarm (C(ALARM), with the text of C(ups.alarm)) is C(fail).
  - A NUT server that cannot be reached or a UPS it does not know is one clear line
    (C(error), status C(fail)); the module itself does not fail, the playbook decides.
  - Needs C(upsc) (Debian package C(nut-client)) on the host it runs on. Read-only;
    supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  ups:
    description: The UPS as NUT names it, C(name@host[:port]).
    type: str
    required: true
  timeout:
    description:
      - Seconds C(upsc) may take; a NUT server that keeps the connection open without
        answering is then a failed read (status C(fail)) instead of a hung SOP.
    type: int
    default: 30
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Read the server room's UPS
  ups_status:
    ups: ups-server@backup
  register: ups
"""

RETURN = r"""
ups:
  description: The UPS's state and its grade.
  returned: always
  type: dict
  sample:
    ups: ups-server@backup
    status: ok
    flags: [OL]
    charge_percent: 100.0
    runtime_seconds: 1800
    load_percent: 35.0
    error: null
    message: UPS ups-server@backup online, baterai 100%, sisa waktu 30 menit, beban 35%
"""

from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_command import run_limited  # noqa: E402

# NUT ups.status flags (docs/new-drivers.txt): the load is at risk, or the UPS says so
FAIL_FLAGS = {
    "LB": "baterai lemah",
    "RB": "baterai harus diganti",
    "OVER": "beban berlebih (overload)",
    "FSD": "shutdown paksa (FSD)",
    "OFF": "UPS mati",
    "ALARM": "alarm",
}
# the load is fed, but not as it should be: on battery, or unprotected on bypass
WARNING_FLAGS = {
    "OB": "memakai baterai (listrik PLN padam)",
    "BYPASS": "bypass (beban tidak dilindungi UPS)",
}


def number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def grade(name: str, variables: dict[str, str]) -> dict[str, Any]:
    flags = variables.get("ups.status", "").split()
    charge = number(variables.get("battery.charge"))
    runtime = number(variables.get("battery.runtime"))
    load = number(variables.get("ups.load"))
    alarm = variables.get("ups.alarm")
    failed = [f"{text}: {alarm}" if flag == "ALARM" and alarm else text
              for flag, text in FAIL_FLAGS.items() if flag in flags]
    warned = [text for flag, text in WARNING_FLAGS.items() if flag in flags]
    if failed:
        status, state = "fail", ", ".join(failed + warned)
    elif warned:
        status, state = "warning", ", ".join(warned)
    elif "OL" in flags:
        status, state = "ok", "online"
    else:
        status, state = "warning", f"status tidak dikenal '{' '.join(flags)}'"
    details = [
        f"baterai {charge:g}%" if charge is not None else None,
        f"sisa waktu {runtime / 60:g} menit" if runtime is not None else None,
        f"beban {load:g}%" if load is not None else None,
    ]
    return {
        "ups": name,
        "status": status,
        "flags": flags,
        "charge_percent": charge,
        "runtime_seconds": int(runtime) if runtime is not None else None,
        "load_percent": load,
        "model": variables.get("device.model") or variables.get("ups.model"),
        "error": None,
        "message": f"UPS {name} {state}" + "".join(f", {d}" for d in details if d),
    }


def parse(text: str) -> dict[str, str]:
    variables = {}
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            variables[key.strip()] = value.strip()
    return variables


def main() -> None:
    module = AnsibleModule(
        argument_spec={"ups": {"type": "str", "required": True},
                       "timeout": {"type": "int", "default": 30}},
        supports_check_mode=True,
    )
    name = module.params["ups"]
    upsc = module.get_bin_path("upsc")
    if not upsc:
        module.fail_json(msg="upsc not found: install the nut-client package")
    seconds = module.params["timeout"]
    rc, out, err = run_limited(module, [upsc, name], seconds, environ_update={"LANG": "C"})
    if rc is None:
        out, err = "", f"upsc did not answer within {seconds} s (a hung NUT server?)"
    if rc != 0 or not out.strip():
        lines = [
            line for line in (err or out).strip().splitlines() if not line.startswith("Init SSL")
        ]
        cause = lines[-1] if lines else f"upsc exit {rc}"
        message = f"UPS {name} tidak dapat dibaca dari server NUT: {cause}"
        module.exit_json(
            changed=False,
            ups={"ups": name, "status": "fail", "flags": [], "error": cause, "message": message},
        )
    module.exit_json(changed=False, ups=grade(name, parse(out)))


if __name__ == "__main__":
    main()
