"""roles/server_incident: what is recorded of the incident when a remediation fails
(ansible-playbook on localhost in check mode: the real server_diagnose reads this
machine, the remediation is refused before it does anything)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any

import pytest
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: server_incident
        tasks_from: diagnosa_gangguan
"""


def incident(tmp_path: pathlib.Path, path: str | None = None, inventory: str | None = None,
             **variables: Any) -> tuple[int, list[dict[str, Any]], str]:
    """The role's activity with ``variables``, in check mode (the tools found on ``path``
    first, when given; the hosts of the YAML ``inventory`` too): its exit status, the
    results it printed (-v) and its output."""
    play, extra = tmp_path / "play.yml", tmp_path / "vars.json"
    play.write_text(PLAY, encoding="utf-8")
    # this machine's own load (tests run side by side) and small file systems are no
    # cause these tests are about
    extra.write_text(json.dumps({"server_incident_bundle_dir": str(tmp_path / "incidents"),
                                 "server_incident_hours": 1, "server_incident_load_per_cpu": 100,
                                 "server_incident_min_free_mb": 0, **variables}),
                     encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="false")
    if path:
        env["PATH"] = f"{path}:{env['PATH']}"
    hosts = []
    if inventory:
        (tmp_path / "hosts.yml").write_text(inventory, encoding="utf-8")
        hosts = ["-i", str(tmp_path / "hosts.yml")]
    proc = subprocess.run([*LOCAL_PLAYBOOK, *hosts, "--check", "-v", "-e", f"@{extra}",
                           str(play)],
                          capture_output=True, text=True, check=False, env=env, timeout=600)
    results = [json.loads(line.split(" => ", 1)[1]) for line in proc.stdout.splitlines()
               if line.startswith(("ok: [localhost] => {", "fatal: [localhost]: FAILED! => {"))]
    return proc.returncode, results, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_a_failed_remediation_is_recorded_with_the_diagnosis(tmp_path: pathlib.Path) -> None:
    """A remediation that failed stopped the play before 'Record the diagnosis': the
    bundle was written, the incident's record (its causes, what the remediation did) was
    not. The record is written, naming the remediation that failed and why; the run then
    fails with that cause."""
    rc, results, output = incident(tmp_path, server_incident_remediate=["remove_rotated_logs"],
                                   server_incident_log_min_age_days=-1)
    assert rc == 2, output
    record = next(r["sop_output"] for r in results if "bundel" in r.get("sop_output", {}))
    # named by the role's variable a court sets (sop_failure_cause)
    said = "must be 0 (every rotated log) or a positive number of days, not -1"
    cause = ("remove_rotated_logs: pengaturan salah: server_incident_log_min_age_days: "
             + said)
    assert record["gagal"] == cause
    assert [(a["tindakan"], a["gagal"]) for a in record["tindakan"]] == [
        ("remove_rotated_logs", f"log_min_age_days: {said}")]
    assert record["penyebab_sesudah"] is None
    assert isinstance(record["penyebab"], list)
    assert pathlib.Path(record["bundel"]).parent == tmp_path / "incidents"
    assert results[-1]["msg"] == cause  # the run's failure: the remediation's own cause


@pytest.mark.parametrize(("variables", "cause"), [
    ({"server_incident_hours": 0},
     "server_incident_hours: must be a positive number of hours, not 0"),
    ({"server_incident_services": ["nginx", "php*-fpm", "-Hweb"]},
     "server_incident_services: not NAME or NAME@INSTANCE of a service unit (systemd's "
     "characters, without .service, no pattern, no leading '-'): 'php*-fpm', '-Hweb'"),
    ({"server_incident_peers": ["web:ssh"]},
     "server_incident_peers: not HOST, HOST:PORT, an IPv6 address or [IPv6]:PORT: 'web:ssh'")])
def test_a_setting_the_diagnosis_refuses_is_named_by_the_role_variable(
        tmp_path: pathlib.Path, variables: dict[str, Any], cause: str) -> None:
    """The diagnosis's refusal named the module's option ('hours: must be ...'), which no
    inventory sets: named by the role's variable, as a remediation's refusal is."""
    rc, results, output = incident(tmp_path, **variables)
    assert rc == 2, output
    assert results[-1]["msg"] == f"pengaturan salah: {cause}"


def test_a_court_hosts_address_the_diagnosis_refuses_is_named_as_such(
        tmp_path: pathlib.Path) -> None:
    """Without server_incident_peers the peers are the court hosts' sop_lan_address: a
    wrong one was named as server_incident_peers, a variable the court never set."""
    inventory = "sipp_servers:\n  hosts:\n    web1:\n      sop_lan_address: 10.0.0.5/24\n"
    rc, results, output = incident(tmp_path, inventory=inventory)
    assert rc == 2, output
    assert results[-1]["msg"] == ("pengaturan salah: sop_lan_address: not HOST, HOST:PORT, "
                                  "an IPv6 address or [IPv6]:PORT: '10.0.0.5/24'")


def test_a_remediation_that_succeeds_is_recorded_as_before(tmp_path: pathlib.Path) -> None:
    """The record of remediations that end well is what it was: each one's own record,
    no failure (a dry run here: no diagnosis after them, see below)."""
    rc, results, output = incident(tmp_path, server_incident_remediate=["clean_package_cache"])
    assert rc == 0, output
    record = next(r["sop_output"] for r in results if "bundel" in r.get("sop_output", {}))
    assert record["gagal"] is None
    assert [a["tindakan"] for a in record["tindakan"]] == ["clean_package_cache"]
    assert record["tindakan"][0]["uji_coba"] is True


@pytest.mark.parametrize("given", ["clean_package_cache",
                                   "clean_package_cache,remove_rotated_logs"])
def test_remediations_given_as_key_value_are_run(tmp_path: pathlib.Path, given: str) -> None:
    """`-e server_incident_remediate=clean_package_cache`, as key=value gives it, a string:
    argument_specs took it as the list it converts it to, then the loop failed with
    Ansible's "The `loop` value must resolve to a 'list', not 'str'"."""
    rc, results, output = incident(tmp_path, server_incident_remediate=given)
    assert rc == 0, output
    record = next(r["sop_output"] for r in results if "bundel" in r.get("sop_output", {}))
    assert [a["tindakan"] for a in record["tindakan"]] == given.split(",")


def test_a_dry_run_says_nothing_was_done(tmp_path: pathlib.Path) -> None:
    """In check mode the diagnosis 'after' the remediation read the unchanged server, and
    the record's message said "sesudah tindakan restart_service: PHP-FPM php8.2-fpm tidak
    berjalan": a restart that seemed to have failed, though none was run. A dry run
    names what each remediation would do, and diagnoses nothing after it."""
    rc, results, output = incident(tmp_path, fpm_host(tmp_path),
                                   server_incident_remediate=["restart_service"])
    assert rc == 0, output
    recorded = next(r for r in results if "bundel" in r.get("sop_output", {}))
    assert recorded["sop_output"]["penyebab_sesudah"] is None
    assert "sesudah tindakan" not in recorded["msg"]
    assert recorded["msg"].endswith("; uji coba (check mode), tindakan tidak dijalankan: "
                                    "restart_service (akan: restart php8.2-fpm)"), recorded["msg"]
    assert sum("bundle" in r for r in results) == 1  # the diagnosis before, none after


# A host whose php8.2-fpm stopped (nginx answers 502), as service_facts and systemctl see
# it: `service --status-all` is what service_facts reads where systemd is not PID 1 (this
# machine), systemctl what server_diagnose and server_remediate ask.
FPM_HOST = {
    "service": "echo ' [ - ]  php8.2-fpm.service'\necho ' [ + ]  nginx.service'\n",
    "systemctl": """case "$1 $2" in
  "show php8.2-fpm.service") printf 'Id=php8.2-fpm.service\\nLoadState=loaded\\n'
    printf 'ActiveState=failed\\nSubState=failed\\nResult=exit-code\\n'
    printf 'UnitFileState=enabled\\nExecMainStatus=78\\n' ;;
  "show nginx.service") printf 'Id=nginx.service\\nLoadState=loaded\\nActiveState=active\\n'
    printf 'SubState=running\\nResult=success\\nUnitFileState=enabled\\n' ;;
  show*) printf 'LoadState=not-found\\n' ;;
esac
""",
}


def fpm_host(tmp_path: pathlib.Path) -> str:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, script in FPM_HOST.items():
        (folder / name).write_text("#!/bin/sh\n" + script, encoding="utf-8")
        (folder / name).chmod(0o755)
    return str(folder)


def test_a_stopped_php_fpm_is_named_and_restarted_when_asked(tmp_path: pathlib.Path) -> None:
    """php-fpm was not among the services diagnosed and restarted by default: a stopped
    php8.2-fpm took SIPP and the website down (nginx answering 502) and was neither named
    nor restarted. The php*-fpm units installed are added to the default services."""
    rc, results, output = incident(tmp_path, fpm_host(tmp_path),
                                   server_incident_remediate=["restart_service"])
    assert rc == 0, output
    record = next(r["sop_output"] for r in results if "bundel" in r.get("sop_output", {}))
    assert "PHP-FPM php8.2-fpm tidak berjalan (php8.2-fpm: failed/failed, result " \
        "exit-code)" in record["penyebab"]
    # a dry run: named as what would be done, never as done
    assert record["tindakan"][0]["akan_dilakukan"] == ["restart php8.2-fpm"]
    assert "dilakukan" not in record["tindakan"][0]
    diagnosis = next(r for r in results if "bundle" in r)
    assert [s["name"] for s in diagnosis["bundle"]["services"]] == ["nginx", "php8.2-fpm"]


@pytest.mark.parametrize("remediate", [[], ["restart_service"]])
def test_a_diagnosis_that_names_a_cause_warns_with_it(tmp_path: pathlib.Path,
                                                      remediate: list[str]) -> None:
    """A diagnosis naming a stopped php8.2-fpm ended as a plain 'ok': the activity read
    "Berhasil" beside its causes, no warning. The fault not overcome (no remediation
    asked, or a dry run that changed nothing) is warned of with the last diagnosis's
    causes, after the record keeps them."""
    rc, results, output = incident(tmp_path, fpm_host(tmp_path),
                                   server_incident_remediate=remediate)
    assert rc == 0, output
    cause = "PHP-FPM php8.2-fpm tidak berjalan (php8.2-fpm: failed/failed, result exit-code)"
    record = next(r["sop_output"] for r in results if "bundel" in r.get("sop_output", {}))
    assert record["penyebab"] == [cause] and record["gagal"] is None
    warned = f"Gangguan belum teratasi. Kemungkinan penyebab: {cause}"
    assert results[-1]["msg"] == warned and f"[WARNING]: {warned}" in output


def test_the_courts_own_services_are_diagnosed_as_given(tmp_path: pathlib.Path) -> None:
    """A court's own server_incident_services is the list: no php*-fpm unit added."""
    rc, results, output = incident(tmp_path, fpm_host(tmp_path), server_incident_services=["nginx"])
    assert rc == 0, output
    record = next(r["sop_output"] for r in results if "bundel" in r.get("sop_output", {}))
    assert not any("php8.2-fpm" in cause for cause in record["penyebab"])
    diagnosis = next(r for r in results if "bundle" in r)
    assert [s["name"] for s in diagnosis["bundle"]["services"]] == ["nginx"]


def test_what_the_diagnosis_could_not_see_is_recorded(tmp_path: pathlib.Path) -> None:
    """not_visible (a journal read not whole, a log not read) reached only the bundle on
    the controller: the record and its line said nothing of what was not seen. Both name
    it (here a journalctl that reads no journal file)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "journalctl").write_text("#!/bin/sh\necho 'No journal files were found.' >&2\n"
                                       "exit 1\n", encoding="utf-8")
    (folder / "journalctl").chmod(0o755)
    rc, results, output = incident(tmp_path, str(folder))
    assert rc == 0, output
    recorded = next(r for r in results if "bundel" in r.get("sop_output", {}))
    unseen = ("journal_errors tidak terbaca utuh (journalctl: No journal files were "
              "found.)")
    assert unseen in recorded["sop_output"]["tidak_terlihat"]
    diagnosis = next(r for r in results if "bundle" in r)
    assert recorded["sop_output"]["tidak_terlihat"] == diagnosis["sop_output"]["tidak_terlihat"]
    assert recorded["msg"].endswith(
        " (tidak terlihat: " + "; ".join(diagnosis["sop_output"]["tidak_terlihat"]) + ")"), \
        recorded["msg"]


def _bundle_dir(tmp_path: pathlib.Path, **env: str) -> str:
    """server_incident_bundle_dir as the role's defaults give it to a play in
    ``tmp_path/playbooks``, with ``env`` (SOP_DATA_DIR taken out first)."""
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir(exist_ok=True)
    play = playbooks / "play.yml"
    play.write_text(f"""
- hosts: localhost
  gather_facts: false
  vars_files: [{ROOT / 'roles/server_incident/defaults/main.yml'}]
  tasks:
    - ansible.builtin.debug:
        var: server_incident_bundle_dir
""", encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k != "SOP_DATA_DIR"}
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(play)], capture_output=True, text=True,
                          check=False, timeout=120,
                          env=dict(environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                                   ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", **env))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    task = json.loads(proc.stdout)["plays"][0]["tasks"][0]
    return str(task["hosts"]["localhost"]["server_incident_bundle_dir"])


def test_bundles_are_kept_in_the_data_directory_not_the_project(tmp_path):
    """Inside the project (playbooks/../var/incidents) a controller install's rsync
    --delete removed the bundles: under `sop run`, the data directory it records into."""
    assert _bundle_dir(tmp_path, SOP_DATA_DIR="/var/lib/sop") == "/var/lib/sop/incidents"
    assert _bundle_dir(tmp_path) == f"{tmp_path}/var/incidents"  # no sop: AWX, by hand


def test_services_given_as_key_value_are_named_as_the_list(tmp_path: pathlib.Path) -> None:
    """`-e server_incident_services=nginx,mariadb` gives a string, which argument_specs
    accept as the list of both: the warning that the PHP-FPM units were not read named
    its characters ('n, g, i, n, x, ,, m, ...') as the services diagnosed."""
    folder = tmp_path / "bin"
    folder.mkdir()
    # service_facts fails (its module process killed while it lists the units)
    (folder / "service").write_text("#!/bin/sh\nkill -9 $PPID\n", encoding="utf-8")
    (folder / "service").chmod(0o755)
    rc, _results, output = incident(tmp_path, str(folder),
                                    server_incident_services="nginx,mariadb")
    assert rc == 0, output
    assert "; layanan yang diperiksa: nginx, mariadb\n" in output


def checks(tmp_path: pathlib.Path, **variables: Any) -> tuple[int, dict[str, Any]]:
    """The role's checks alone (a tag no activity has: only the tasks tagged always run)
    on localhost with ``variables``: ansible-playbook's exit status and the last task's
    result."""
    play, extra = tmp_path / "play.yml", tmp_path / "vars.json"
    play.write_text("- hosts: localhost\n  gather_facts: false\n  roles: [server_incident]\n",
                    encoding="utf-8")
    extra.write_text(json.dumps(variables), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, "--check", "--tags", "sop_no_such_activity",
                           "-e", f"@{extra}", str(play)],
                          capture_output=True, text=True, check=False, env=env, timeout=300)
    tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
    return proc.returncode, tasks[-1]["hosts"]["localhost"]


@pytest.mark.parametrize(("variables", "cause"), [
    # turned the free-space test off without a word (the module took it)
    ({"server_incident_min_free_mb": -1},
     "server_incident_min_free_mb: must be 0 (turns the free-space test off) or a positive "
     "number of MiB, not -1"),
    ({"server_incident_min_free_mb": 2**40},
     "server_incident_min_free_mb: must be at most 1048576 MiB (1 TiB), not 1099511627776"),
    # refused by server_remediate only when remove_rotated_logs ran, after the diagnosis
    # (given as key=value, a string: sop_list)
    ({"server_incident_log_min_age_days": -1,
      "server_incident_remediate": "clean_package_cache,remove_rotated_logs"},
     "server_incident_log_min_age_days: must be 0 (every rotated log) or a positive number "
     "of days, not -1"),
    ({"server_incident_hours": 0},
     "server_incident_hours: must be a positive number of hours, not 0"),
    ({"server_incident_full_percent": 150},
     "server_incident_full_percent: must be at most 100 percent, not 150"),
    ({"server_incident_load_per_cpu": "nan"},
     "server_incident_load_per_cpu: must be a positive number of processes per CPU, not nan"),
    # -e server_incident_services='nginx, php8.2-fpm': ' php8.2-fpm', its space unseen
    ({"server_incident_services": "nginx, php8.2-fpm"},
     "server_incident_services: ' php8.2-fpm' has a space before or after it (given as "
     "key=value, no space after the commas: a,b)"),
    ({"server_incident_peers": "backup,web "},
     "server_incident_peers: 'web ' has a space before or after it (given as key=value, no "
     "space after the commas: a,b)"),
    ({"server_incident_services": ""},
     "server_incident_services: an empty name (server_incident_services= given as "
     "key=value gives one; [] names none)")])
def test_a_setting_is_refused_before_anything_runs(tmp_path: pathlib.Path,
                                                   variables: dict[str, Any],
                                                   cause: str) -> None:
    """The role's checks refuse, whichever activity runs and before the host is read, a
    setting the modules refuse only when they run (or, a negative min_free_mb, took)."""
    rc, result = checks(tmp_path, **variables)
    assert rc == 2 and result.get("failed"), result
    assert result["msg"] == f"pengaturan salah: {cause}"


@pytest.mark.parametrize(("variable", "value", "shown"), [
    # sop_list's "expected a list, a comma-separated string or a number, not NoneType",
    # naming no variable
    ("server_incident_services", None, "null"),
    ("server_incident_peers", None, "null"),
    # read as ['True'] and diagnosed: "layanan True", "Server lain tidak terjangkau: True"
    ("server_incident_services", True, "true"),
    ("server_incident_peers", True, "true"),
    ("server_incident_peers", False, "false"),
])
def test_a_list_of_another_type_is_refused_before_anything_runs(
        tmp_path: pathlib.Path, variable: str, value: object, shown: str) -> None:
    """argument_specs lets null, and a list given as true or false, through: refused
    before the host is read, in one line naming the role's variable."""
    rc, result = checks(tmp_path, **{variable: value})
    assert rc == 2 and result.get("failed"), result
    assert result["msg"] == (f"pengaturan salah: {variable}: must be a list, "
                             f"not {shown}")


@pytest.mark.parametrize(("value", "shown"), [
    # skipped by the path check (null is no path to judge); a list's or a mapping's
    # items taken as the folder's paths, the bundle written to the text "['/x']"
    (None, "null"), (["/var/lib/sop/incidents"], "a list"),
    ({"dir": "/var/lib/sop/incidents"}, "a mapping")])
def test_a_bundle_folder_of_another_type_is_refused_before_anything_runs(
        tmp_path: pathlib.Path, value: object, shown: str) -> None:
    """argument_specs lets a text given as null, a list or a mapping through: refused
    before the host is read, in one line naming the role's variable."""
    rc, result = checks(tmp_path, server_incident_bundle_dir=value)
    assert rc == 2 and result.get("failed"), result
    assert result["msg"] == ("pengaturan salah: server_incident_bundle_dir: must be a text, "
                             f"not {shown}")


def test_the_defaults_and_zeros_that_mean_something_pass_the_checks(
        tmp_path: pathlib.Path) -> None:
    """0 MiB (only the percent counts) and 0 days (every rotated log) are documented
    meanings, not refused (0 days judged: remove_rotated_logs asked for); an empty list
    of peers means the court's hosts."""
    rc, result = checks(tmp_path, server_incident_min_free_mb=0,
                        server_incident_log_min_age_days="0", server_incident_peers=[],
                        server_incident_remediate=["remove_rotated_logs"])
    assert rc == 0, result


@pytest.mark.parametrize("remediate", [[], ["restart_service", "clean_package_cache"]])
def test_a_log_age_no_remediation_asked_for_reads_is_not_judged(
        tmp_path: pathlib.Path, remediate: list[str]) -> None:
    """server_incident_log_min_age_days is remove_rotated_logs' alone: a diagnosis, or a
    restart, was refused for a log age nothing of the run used."""
    rc, result = checks(tmp_path, server_incident_log_min_age_days=-1,
                        server_incident_remediate=remediate)
    assert rc == 0, result
