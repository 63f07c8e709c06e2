"""roles/network, run whole by ansible-playbook on localhost in check mode (the
configuration store in a temporary folder, no target in any reachability list): what its
activity records when a setting is wrong."""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
from typing import Any

import pytest
from loader import LOCAL_PLAYBOOK, ROOT

PLAY = "- hosts: all\n  gather_facts: false\n  roles: [network]\n"


def activity(tmp_path: pathlib.Path, *extra: str, path: pathlib.Path | None = None,
             **variables: Any) -> tuple[int, dict[str, str]]:
    """The role run with ``variables`` (and ``extra`` arguments, -e key=value; the tools
    in ``path`` found first) on localhost: its exit status and the message of each task it
    ran there by the task's name (its last, 'Failed activities', the activity's failure)."""
    rc, messages = activity_on(tmp_path, *extra, path=path, **variables)
    return rc, messages["localhost"]


def activity_on(tmp_path: pathlib.Path, *extra: str, path: pathlib.Path | None = None,
                inventory: dict[str, Any] | None = None,
                **variables: Any) -> tuple[int, dict[str, dict[str, str]]]:
    """``activity`` on every host of ``inventory`` (YAML's, its hosts run locally; none:
    localhost alone): the messages by host."""
    play, given = tmp_path / "play.yml", tmp_path / "vars.json"
    play.write_text(PLAY, encoding="utf-8")
    given.write_text(json.dumps({"network_config_store_path": str(tmp_path / "store"),
                                 **variables}), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    if path:
        env["PATH"] = f"{path}:{env['PATH']}"
    command = list(LOCAL_PLAYBOOK)
    if inventory is not None:
        hosts = tmp_path / "hosts.json"
        hosts.write_text(json.dumps(inventory), encoding="utf-8")
        command[command.index("-i") + 1] = str(hosts)
    proc = subprocess.run([*command, "--check", "-e", f"@{given}", *extra, str(play)],
                          capture_output=True, text=True, check=False, env=env, timeout=300)
    assert proc.stdout.startswith("{"), proc.stdout[-3000:] + proc.stderr[-3000:]
    tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
    hosts_run = {host for task in tasks for host in task["hosts"]}
    return proc.returncode, {host: {t["task"]["name"].removeprefix("network : "):
                                    str(t["hosts"][host].get("msg", "")) for t in tasks
                                    if host in t["hosts"]} for host in hosts_run}


ROUTER = {"name": "rb1", "host": "127.0.0.1", "port": 1, "username": "sop",
          "password": "rahasia-api"}


TYPE = "Refuse a switch, a list or a text setting of another type"
REACH = "Refuse a reachability setting net_reachability would refuse"
ROUTEROS = "Refuse a RouterBoard setting routeros_check would refuse"
STORE = "Refuse a configuration history or UPS setting net_config_store or ups_status would refuse"
HOSTS = ("Refuse a configuration history or UPS client host that is no inventory host "
         "nor IP address")
GATEWAY = "Refuse a gateway whose inventory name cannot name its directory in the history"
HOST_NAME = ("must be letters, digits, '.', '-', '_' (':' and '[]' for an IP address), not "
             "starting with '-' or '.'")
HOST = ("must be a host name (letters, digits, '-' and '_', labels separated by '.', none "
        "starting with '-') or an IP address")
NOT_IN_INVENTORY = "is not in the inventory (give an inventory host's name or an IP address)"
NAME = ("must be a DNS name (letters, digits, '-' and '_', labels separated by '.', none "
        "starting with '-')")


@pytest.mark.parametrize(("extra", "variables", "task", "cause"), [
    # let through by argument_specs, read as false
    (["-e", '{"network_routeros_show_sensitive": null}'], {}, TYPE,
     "network_routeros_show_sensitive: must be true or false, not null"),
    # "The filter plugin 'sop_list' failed: sop_list: expected a list, a comma-separated
    # string or a number, not NoneType", naming no variable
    (["-e", '{"network_dns_servers": null}'], {}, TYPE,
     "network_dns_servers: must be a list, not null"),
    ([], {"network_ups": None}, TYPE, "network_ups: must be a list, not null"),
    ([], {"network_central_urls": None}, TYPE,
     "network_central_urls: must be a list, not null"),
    # read as ['True'] and pinged: "Gangguan di segmen LAN: True: ping: True: Name or
    # service not known"
    ([], {"network_reach_upstream": True}, TYPE,
     "network_reach_upstream: must be a list, not true"),
    # given to ping as its options: -f floods the LAN, --help pinged nothing and the
    # segment was blamed; refused by net_reachability only on each host in turn
    (["-e", "network_reach_lan=-f"], {}, REACH, f"network_reach_lan: {HOST}, not '-f'"),
    ([], {"network_reach_upstream": ["203.0.113.1", "isp.example;reboot"]}, REACH,
     f"network_reach_upstream: {HOST}, not 'isp.example;reboot'"),
    ([], {"network_reach_gateway": ["--help"]}, REACH,
     f"network_reach_gateway: {HOST}, not '--help'"),
    (["-e", "network_dns_servers=10.0.0.1,dns.pn.court"], {}, REACH,
     "network_dns_servers: must be an IPv4 or IPv6 address, not 'dns.pn.court'"),
    ([], {"network_dns_external_names": ["mahkamahagung go id"]}, REACH,
     f"network_dns_external_names: {NAME}, not 'mahkamahagung go id'"),
    # uri recorded these as the central service not answering, the credential unmasked
    ([], {"network_central_urls": ["https://sipp.mahkamahagung.go.id/", "sipp.example/"]},
     REACH, "network_central_urls: 'sipp.example/' is not an http(s) URL with a host"),
    (["-e", "network_central_urls=u:S3cret@sipp.example/"], {}, REACH,
     "network_central_urls: '***@sipp.example/' is not an http(s) URL with a host"),
    # sop_url_error takes null as none: a null entry (a list item written with no value)
    # is refused as no text, not read as '' and refused by net_reachability in Kegiatan 2
    ([], {"network_central_urls": ["https://sipp.mahkamahagung.go.id/", None]}, REACH,
     "network_central_urls: must be a text, not null"),
    # -e network_central_urls= is the list [''], refused by net_reachability in Kegiatan 2
    (["-e", "network_central_urls="], {}, REACH,
     "network_central_urls: an empty entry in the list (an empty list, [], skips it)"),
    ([], {"network_central_urls": ["https://sipp.mahkamahagung.go.id/", " "]}, REACH,
     "network_central_urls: an empty entry in the list (an empty list, [], skips it)"),
    (["-e", "network_probes=0"], {}, REACH,
     "network_probes: must be a positive number of echo requests, not 0"),
    (["-e", "network_probes=1000"], {}, REACH,
     "network_probes: must be at most 100 echo requests, not 1000"),
    (["-e", "network_probe_timeout=0"], {}, REACH,
     "network_probe_timeout: must be a positive number of seconds, not 0"),
    (["-e", "network_probe_interval=-1"], {}, REACH,
     "network_probe_interval: must be 0 (no pause between echo requests) or a positive "
     "number of seconds, not -1"),
    (["-e", "network_loss_warn_percent=150"], {}, REACH,
     "network_loss_warn_percent: must be at most 100 percent, not 150"),
    (["-e", "network_latency_warn_ms=0"], {}, REACH,
     "network_latency_warn_ms: must be a positive number of milliseconds, not 0"),
    # routeros_check's refusals came only after the stored states were read, as
    # "RouterBoard tidak dapat diperiksa", and a workers of 0 or less was read as 1
    (["-e", "network_routeros_timeout=-1"], {}, ROUTEROS,
     "network_routeros_timeout: must be a positive number of seconds, not -1"),
    (["-e", "network_routeros_cpu_warn_percent=0"], {}, ROUTEROS,
     "network_routeros_cpu_warn_percent: must be a positive number of percent, not 0"),
    (["-e", "network_routeros_memory_warn_percent=101"], {}, ROUTEROS,
     "network_routeros_memory_warn_percent: must be at most 100 percent, not 101"),
    (["-e", "network_routeros_temperature_warn=200"], {}, ROUTEROS,
     "network_routeros_temperature_warn: must be at most 125 degrees Celsius, not 200"),
    (["-e", "network_routeros_workers=0"], {}, ROUTEROS,
     "network_routeros_workers: must be a positive number of routers read at the same "
     "time, not 0"),
    (["-e", "network_routeros_workers=1000"], {}, ROUTEROS,
     "network_routeros_workers: must be at most 64 routers read at the same time, not 1000"),
    (["-e", "network_config_store_keep=-1"], {}, STORE,
     "network_config_store_keep: must be 0 (keeps none) or a positive number of older "
     "versions, not -1"),
    (["-e", "network_config_store_max_export_bytes=0"], {}, STORE,
     "network_config_store_max_export_bytes: must be a positive number of bytes, not 0"),
    # upsc would read "-l" as its option; refused by ups_status only in its loop
    (["-e", "network_ups=ups1@nut,-l"], {}, STORE,
     "network_ups: must be a UPS as NUT names it, upsname[@hostname[:port]] (letters, "
     "digits, '.', '_' and '-', not starting with '-'; a port 1-65535), not '-l'"),
    (["-e", "network_ups_battery_max_age_days=-1"], {}, STORE,
     "network_ups_battery_max_age_days: must be 0 (checks no age) or a positive number "
     "of days, not -1"),
    # given to delegate_to: "" failed the gateway's store after every host was probed,
    # in Ansible's words ("Empty hostname produced from delegate_to"); a host starting
    # with '-' went to ssh as its host, which ssh reads as its option. The UPS client
    # host, the history's by default, is not named for it.
    (["-e", "network_config_store_host="], {}, HOSTS,
     f"network_config_store_host: {HOST_NAME}, not ''"),
    ([], {"network_config_store_host": "-oProxyCommand=touch /tmp/x"}, HOSTS,
     f"network_config_store_host: {HOST_NAME}, not '-oProxyCommand=touch /tmp/x'"),
    ([], {"network_ups_client_host": "nut server"}, HOSTS,
     f"network_ups_client_host: {HOST_NAME}, not 'nut server'"),
    # null (a setting written with no value): the history's host reached delegate_to
    # ("Empty hostname produced from delegate_to"); the UPS client host too once a UPS
    # was given, and was taken without a word when none was
    (["-e", '{"network_config_store_host": null}'], {}, TYPE,
     "network_config_store_host: must be a text, not null"),
    ([], {"network_ups_client_host": None}, TYPE,
     "network_ups_client_host: must be a text, not null"),
    # the history's first read failed after the checks, naming no setting: "path must
    # be an absolute path, not ''"
    (["-e", '{"network_config_store_path": null}'], {}, TYPE,
     "network_config_store_path: must be a text, not null"),
    # a text given as a list or a mapping, which argument_specs wrote as its text: the
    # hosts' check failed in Ansible's words ("Error rendering template: unhashable type:
    # '_AnsibleLazyTemplateList'"), the history's path passed as a list of paths
    ([], {"network_config_store_host": ["backup-pc"]}, TYPE,
     "network_config_store_host: must be a text, not a list"),
    ([], {"network_ups_client_host": {"nut": "127.0.0.1"}}, TYPE,
     "network_ups_client_host: must be a text, not a mapping"),
    ([], {"network_config_store_path": ["/var/lib/sop/jaringan"]}, TYPE,
     "network_config_store_path: must be a text, not a list"),
    # a typo of an inventory name (or a name outside the inventory, without its
    # connection settings) was delegated to as a host of its own: the gateway's store
    # and the UPSes unreachable after every host was probed, nothing recorded
    (["-e", "network_config_store_host=bakup-pc"], {}, HOSTS,
     f"network_config_store_host: 'bakup-pc' {NOT_IN_INVENTORY}"),
    ([], {"network_ups_client_host": "nut.pn-contoh.local"}, HOSTS,
     f"network_ups_client_host: 'nut.pn-contoh.local' {NOT_IN_INVENTORY}"),
])
def test_a_setting_a_module_would_refuse_is_refused_before_anything_is_checked(
        tmp_path, extra, variables, task, cause):
    """Refused by the settings' check (tag always), by the module's own rule, before any
    RouterBoard, host or UPS is read: one line naming the variable."""
    rc, messages = activity(tmp_path, *extra, network_routeros_routers=[ROUTER], **variables)
    assert rc == 2
    assert messages[task] == f"pengaturan salah: {cause}"
    assert "Each RouterBoard has its keys, each of its type" not in messages
    assert "Check the path LAN, gateway, DNS, upstream, central services from this host" \
        not in messages


@pytest.mark.parametrize(("extra", "variables", "name"), [
    (["-e", "network_routeros_show_sensitive=maybe"], {}, "network_routeros_show_sensitive"),
    ([], {"network_routeros_show_sensitive": ["yes"]}, "network_routeros_show_sensitive"),
    ([], {"network_reach_lan": {"127.0.0.1": "server"}}, "network_reach_lan"),
    ([], {"network_routeros_routers": ROUTER}, "network_routeros_routers"),
])
def test_a_value_argument_specs_cannot_convert_is_refused_naming_the_variable(
        tmp_path, extra, variables, name):
    """A switch that is no boolean, a list given as a mapping: refused by the role's
    argument_specs (its types, which ansible-doc shows), naming the variable, before the
    settings' check or anything else ran; what argument_specs lets through (null, a
    list given as true) the check refuses."""
    rc, messages = activity(tmp_path, *extra, **variables)
    assert rc == 2
    said = next(msg for task, msg in messages.items() if task.startswith("Validating arguments"))
    assert f"argument '{name}' is of type" in said, messages
    assert TYPE not in messages
    assert "Check the path LAN, gateway, DNS, upstream, central services from this host" \
        not in messages


def test_upses_given_as_key_value_are_read(tmp_path):
    """`-e network_ups=ups1@127.0.0.1,ups2@127.0.0.1`, as key=value gives it, a string:
    argument_specs took it as the list it converts it to, then the loop failed with
    Ansible's "The `loop` value must resolve to a 'list', not 'str'". Each UPS is read
    (an upsc on PATH answers for it) and graded."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "upsc").write_text("#!/bin/sh\necho \"ups.status: OB\"\n", encoding="utf-8")
    (bin_dir / "upsc").chmod(0o755)
    rc, messages = activity(tmp_path, "-e", "network_ups=ups1@127.0.0.1,ups2@127.0.0.1",
                            path=bin_dir)
    assert rc == 0, messages
    said = messages["The network, its routers and UPSes are in order"]
    assert "UPS ups1@127.0.0.1" in said and "UPS ups2@127.0.0.1" in said, said


def test_an_empty_sipp_central_url_is_no_central_service(tmp_path):
    """network_central_urls defaults to [sipp_central_url]: an inventory whose
    sipp_central_url is empty (no SIPP MA address known yet) has no central service to
    check, not the empty entry that the settings' check refuses."""
    rc, messages = activity(tmp_path, "-e", "sipp_central_url=")
    assert rc == 0, messages
    assert REACH not in messages or not messages[REACH], messages


TWO_HOSTS = {"all": {"hosts": {"court-a": {}, "court-b": {}}}}
IN_ORDER = "The network, its routers and UPSes are in order"


def a_read_failed(tmp_path: pathlib.Path, case: str) -> tuple[int, dict[str, dict[str, str]]]:
    """The activity on two hosts with the UPSes (no upsc anywhere) or the RouterBoards'
    history (its path a file) failing their read, done once in court-a's turn."""
    if case == "ups":
        if any(os.path.exists(f"{folder}/upsc")
               for folder in ("/usr/bin", "/bin", "/sbin", "/usr/sbin", "/usr/local/sbin")):
            pytest.skip("upsc is installed here (Ansible's get_bin_path looks in sbin)")
        return activity_on(tmp_path, "-e", "network_ups=ups1@127.0.0.1", inventory=TWO_HOSTS)
    stored = tmp_path / "store-file"
    stored.write_text("not a directory\n", encoding="utf-8")
    return activity_on(tmp_path, "-e", f"network_config_store_path={stored}",
                       inventory=TWO_HOSTS, network_routeros_routers=[ROUTER])


@pytest.mark.parametrize(("case", "cause"), [
    ("ups", "ups1@127.0.0.1: upsc not found: install the nut-client package"),
    ("routerboard", "configuration store {tmp_path}/store-file is not a directory"),
])
def test_a_read_done_once_that_fails_fails_the_activity_once_and_no_other_host(
        tmp_path, case, cause):
    """The UPSes and the RouterBoards are read once per run (run_once): their read failing
    failed every host, the rescue given ansible_failed_result on the host that read them
    alone, and court-b's activity failed with "'ansible_failed_result' is undefined",
    nothing recorded. The activity fails once, naming the cause, where they were read;
    court-b's own checks are recorded and judged, and the play fails at the end."""
    rc, by_host = a_read_failed(tmp_path, case)
    assert rc == 2
    assert by_host["court-a"]["Failed activities"] == \
        "Kegiatan 2: " + cause.format(tmp_path=tmp_path), by_host
    assert by_host["court-b"]["Failed activities"] == "All assertions passed", by_host
    assert IN_ORDER in by_host["court-b"], by_host


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(("setting", "variables", "what"), [
    ("network_ups_client_host", {"network_ups": ["ups1@127.0.0.1"]}, "UPS"),
    ("network_config_store_host", {"network_routeros_routers": [ROUTER]},
     "Riwayat konfigurasi RouterBoard"),
])
def test_a_read_done_once_on_a_host_that_cannot_be_reached_fails_the_activity_once(
        tmp_path, setting, variables, what):
    """The UPS client host or the history's host not answering (ssh refused): the read,
    run once and delegated there, was UNREACHABLE, which ignore_errors does not cover:
    court-a, whose turn read it, was dropped from the play (exit status 4), its activity
    neither failed nor recorded; court-b passed with no UPS judged or, for the history,
    read the RouterBoards in its turn without the stored states and failed in Jinja's
    words ("object of type 'dict' has no attribute 'states'"). The activity fails once,
    on court-a, naming the host, its setting and the cause in one line; court-b's own
    checks are recorded."""
    inventory = {"all": {"hosts": {**TWO_HOSTS["all"]["hosts"], "nut-pc": {
        "ansible_host": "127.0.0.1", "ansible_port": closed_port(),
        "ansible_connection": "ssh"}}}}
    rc, by_host = activity_on(tmp_path, "--limit", "court-a,court-b", inventory=inventory,
                              **{setting: "nut-pc"}, **variables)
    assert rc == 2, by_host
    said = by_host["court-a"].get("Failed activities", "")
    assert said.startswith(
        f"Kegiatan 2: {what} tidak dapat dibaca: komputer nut-pc ({setting}) tidak dapat "
        "dijangkau ("), by_host
    assert said.endswith("Connection refused)") and "\n" not in said, said
    assert by_host["court-b"]["Failed activities"] == "All assertions passed", by_host
    assert IN_ORDER in by_host["court-b"], by_host


def test_what_is_read_once_is_recorded_by_the_host_whose_turn_read_it(tmp_path):
    """The first host's activity failing before the UPSes are read (its gateway's nft
    failing) has them read in the next host's turn: the reading was then recorded and
    judged by no host (each counted it on the play's first host), a UPS on battery never
    said."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool, script in (("upsc", "echo 'ups.status: OB'"),
                         ("nft", "echo 'nft: broken' >&2; exit 1")):
        (bin_dir / tool).write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
        (bin_dir / tool).chmod(0o755)
    inventory = {"all": {"hosts": {"gw-a": {}, "court-b": {}},
                         "children": {"routers": {"hosts": {"gw-a": {}}}}}}
    rc, by_host = activity_on(tmp_path, "-e", "network_ups=ups1@127.0.0.1", path=bin_dir,
                              inventory=inventory)
    assert rc == 2
    assert by_host["gw-a"]["Failed activities"].startswith("Kegiatan 2: "), by_host
    assert "UPS ups1@127.0.0.1 memakai baterai" in by_host["court-b"][IN_ORDER], by_host


def without(key: str, **changed: Any) -> dict[str, Any]:
    """ROUTER without ``key`` (none given: all its keys), with ``changed``."""
    return {**{k: v for k, v in ROUTER.items() if k != key}, **changed}


R = "network_routeros_routers"


@pytest.mark.parametrize(("routers", "cause"), [
    # Jinja's words: "Task failed: Finalization of task args for 'ansible.builtin.assert'
    # failed: Error while resolving value for 'fail_msg': object of type 'dict' has no
    # attribute 'name'"
    ([ROUTER, without("name")], f"{R}[1].name: missing"),
    # routeros_check's "missing required arguments: username found in routers"
    ([without("username"), without("", name="rb2")], f"{R}[rb1].username: missing"),
    ([without("password", pasword="rahasia-api")],
     f"{R}[rb1].password: missing; {R}[rb1].pasword: unknown key (known: name, host, "
     "port, tls, ca_path, validate_certs, username, password)"),
    # "argument 'port' is of type str found in 'routers'. and we were unable to convert
    # to int: ..."
    ([without("", port="api")], f"{R}[rb1].port: must be 1-65535, not api"),
    ([without("", port=0)], f"{R}[rb1].port: must be 1-65535, not 0"),
    ([without("", tls="maybe")], f"{R}[rb1].tls: must be true or false, not 'maybe'"),
    ([without("", validate_certs=2)], f"{R}[rb1].validate_certs: must be true or false, not 2"),
    ([without("", host=["192.0.2.1"])], f"{R}[rb1].host: must be text"),
    # key=value, a text argument_specs took as the list it converts it to
    ("name=rb1 host=192.0.2.1 username=sop password=rahasia-api",
     f"{R}: must be a list of routers, each with name, host, username and password (in "
     "the inventory, the password in Ansible Vault), not text"),
    (["name=rb1 host=192.0.2.1 username=sop password=rahasia-api"],
     f"{R}[0]: not a mapping of name, host, username, password"),
    # argument_specs' elements: dict refused it first in Ansible's words, "Elements value
    # for option 'network_routeros_routers' is of type str", and the role's check said
    # "not text" of anything that was no list
    (5, f"{R}: must be a list of routers, each with name, host, username and password (in "
        "the inventory, the password in Ansible Vault), not int"),
    (None, f"{R}: must be a list of routers, each with name, host, username and password "
           "(in the inventory, the password in Ansible Vault), not NoneType"),
    ([5], f"{R}[0]: not a mapping of name, host, username, password"),
    # net_config_store's "device names unusable as file names: RB Kantor", once every
    # router was read: the activity failed with no health recorded
    ([without("", name="RB Kantor")],
     f"{R}[RB Kantor].name: must be 1 to 64 letters, digits, '.', '_' and '-', starting "
     "with a letter or a digit (it names its directory in network_config_store_path)"),
    ([ROUTER, without("", host="192.0.2.2")], f"{R}: name rb1 given to more than one router"),
    # routeros_check's own check: "rb kantor" failed as that router's fault once read;
    # the setting named once ("router rb1: host: must be ..." named the key twice)
    ([without("", host="rb kantor")], f"{R}[rb1].host: {HOST}, not 'rb kantor'"),
    ([without("", host="-f")], f"{R}[rb1].host: {HOST}, not '-f'"),
    # each fault of one router, not only the first of its name and host
    ([without("", name="RB Kantor", host="-f")],
     f"{R}[RB Kantor].name: must be 1 to 64 letters, digits, '.', '_' and '-', starting "
     "with a letter or a digit (it names its directory in network_config_store_path); "
     f"{R}[RB Kantor].host: {HOST}, not '-f'"),
    # taken from the folder ansible-playbook runs in on the controller: found from one
    # and not from the timer's, the router then failing as unreadable
    ([without("", tls=True, ca_path="certs/routeros-ca.pem")],
     f"{R}[rb1].ca_path: expected an absolute path, got 'certs/routeros-ca.pem'"),
    ([without("", tls=True, ca_path=["/etc/sop/ca.pem"])],
     f"{R}[rb1].ca_path: must be the path of a CA file (text)"),
])
def test_a_router_entry_refused_names_the_router_and_the_key(tmp_path, routers, cause):
    """A RouterBoard missing a key or with one of the wrong type: one line naming the
    setting, the router and the key, network_routeros_routers[rb1].port, before anything
    is read; never its password."""
    rc, messages = activity(tmp_path, network_routeros_routers=routers)
    assert rc == 2
    assert messages["Failed activities"] == f"Kegiatan 2: pengaturan salah: {cause}"
    assert "rahasia-api" not in json.dumps(messages)
    assert "Check the path LAN, gateway, DNS, upstream, central services from this host" \
        not in messages


@pytest.mark.parametrize("router", [
    without("", port="1", tls="yes", validate_certs=False, password=""),
    without("", name=2024), without("", ca_path=""), without("", ca_path="/etc/sop/ca.pem")])
def test_a_router_entry_routeros_check_takes_passes(tmp_path, router):
    """Kept as routeros_check reads it: a port as text, a flag as yes, an empty password
    (a RouterOS user may have none), a number for a name, an empty CA file's path (the
    system's CAs) or an absolute one; the router is then read (its port closed here)."""
    rc, messages = activity(tmp_path, network_routeros_routers=[router])
    assert rc == 2
    assert messages["Failed activities"].startswith(
        f"Kegiatan 2: router {router['name']} tidak dapat dibaca: "), messages


def test_an_empty_gateway_given_as_key_value_is_refused_naming_it(tmp_path):
    """`-e network_reach_gateway=` gives the text "", which argument_specs and
    net_reachability read as the list [""]: "" was pinged, and the gateway blamed."""
    rc, messages = activity(tmp_path, "-e", "network_reach_gateway=")
    assert rc == 2
    assert messages[REACH] == (
        "pengaturan salah: network_reach_gateway: an empty entry in the list "
        "(an empty list, [], skips it)")


def test_targets_and_settings_the_modules_take_pass_the_check(tmp_path):
    """Host names, IPv4 and IPv6 addresses (with a zone), DNS names, NUT's forms and
    settings at their bounds are taken: each address is pinged."""
    _, messages = activity(
        tmp_path, "-e", "network_ups=ups1@127.0.0.1:3493",
        "-e", "network_routeros_show_sensitive=yes",
        network_reach_lan=["127.0.0.1", "localhost"], network_reach_gateway=["::1"],
        network_dns_internal_names=["sipp.pn-contoh.local."], network_probes=1,
        network_central_urls=["https://sipp.mahkamahagung.go.id/"],
        network_probe_interval=0, network_loss_warn_percent=100,
        network_routeros_workers=64, network_config_store_keep=0,
        network_config_store_max_export_bytes=2**26,
        network_ups_client_host="127.0.0.1")
    for task in (TYPE, REACH, ROUTEROS, STORE, HOSTS):
        assert messages[task] == "", messages
    assert "Check the path LAN, gateway, DNS, upstream, central services from this host" \
        in messages, messages


@pytest.mark.parametrize("store_host", ["127.0.0.1", "::1", "localhost", "backup-pc"])
def test_an_inventory_host_or_an_ip_address_is_taken_as_the_history_host(tmp_path, store_host):
    """An IP address (outside the inventory too), Ansible's implicit localhost (not in
    this inventory) and an inventory host's name are taken for the history and the UPS
    client host."""
    inventory = {"all": {"hosts": {"court-server": {}, "backup-pc": {}}}}
    rc, messages = activity_on(tmp_path, inventory=inventory,
                               network_config_store_host=store_host,
                               network_ups_client_host=store_host)
    assert rc == 0, messages
    assert messages["court-server"][HOSTS] == "", messages


@pytest.mark.parametrize("gateway", ["fe80::1", "gw-" + "kantor" * 11, "_gw"])
def test_a_gateway_named_so_the_history_cannot_name_its_directory_is_refused(tmp_path, gateway):
    """The history names the gateway's directory by its inventory name: an IPv6 address,
    a name over 64 characters or one starting with '_' was refused by net_config_store
    ("device names unusable as file names") only once the gateway was probed and read.
    Refused before anything is read on it, by the store's own check; the other hosts go
    on."""
    inventory = {"all": {"hosts": {"localhost": {}},
                         "children": {"routers": {"hosts": {gateway: {}}}}}}
    rc, by_host = activity_on(tmp_path, inventory=inventory)
    messages = by_host[gateway]
    assert rc == 2
    assert messages[GATEWAY] == (
        f"pengaturan salah: gateway {gateway} (its inventory name, group routers): must be "
        "1 to 64 letters, digits, '.', '_' and '-', starting with a letter or a digit (it "
        "names the gateway's directory in network_config_store_path: name it so in the "
        "inventory, its address as ansible_host)")
    assert "Check the path LAN, gateway, DNS, upstream, central services from this host" \
        not in messages, messages
    assert "The network, its routers and UPSes are in order" in by_host["localhost"], by_host
