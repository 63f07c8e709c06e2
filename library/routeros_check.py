#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the health and the configuration export of MikroTik RouterBoards over the RouterOS API."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: routeros_check
short_description: Health and configuration export of MikroTik RouterBoards over the RouterOS API
description:
  - "Runs on the controller (C(delegate_to: localhost) with the controller's Python, where
    the C(librouteros) package is installed) and talks to each router's API port, 8728,
    or 8729 with TLS (C(api-ssl)) and certificate verification. It logs in as RouterOS
    6.43 and later expect, and answers the challenge of an older RouterOS."
  - Reads per router the identity, board, serial number, RouterOS version and firmware
    (a firmware older than the installed RouterOS is a warning), CPU load, memory,
    uptime, temperature and voltage where the board reports them, the state of its power
    supplies and fans (one not C(ok) is a warning), the interfaces (running, errors,
    drops, link speed of Ethernet ports) and the log's warning, error and critical lines
    newer than the previous run's (O(states)); a restart since the previous run is a
    warning and its whole log is read again.
  - "A restart is told by the router's boot time (the controller's clock less the
    uptime) moving later than the stored one (O(states)) by more than 5 minutes or 0.1%
    of the time since the stored boot, whichever is more: the uptime went backwards.
    The share follows the drift of a RouterBoard without NTP, whose crystal is off by
    20-100 ppm (a fixed 5 minutes reported a false restart, and every log warning again,
    after 35-170 days); 0.1% is ten times that (2.4 hours after 100 days). A restart is
    missed only when it came within that tolerance after the stored boot. A boot time
    earlier than the stored one beyond the tolerance (the controller's clock set back)
    is no restart and replaces the stored one."
  - Reads the configuration export with C(/execute script="/export" as-string), secrets
    hidden unless O(show_sensitive), and returns it normalised (date header removed,
    line continuations joined), ready for M(net_config_store).
  - "An export holding the text of a password given to the module (any router's
    O(routers[].password): a PPP secret or Wi-Fi key equal to it with O(show_sensitive),
    a weak password that is a word of the configuration) is not returned
    (RV(routers[].export) null, RV(routers[].export_error) and a warning saying so):
    Ansible returns a module's result with a no_log value replaced by C(********)
    wherever it appears, and M(net_config_store) would keep that altered copy in place
    of the router's configuration. The stored copy stays; give the API user a password
    found nowhere in the routers' configurations."
  - Routers are read in parallel (O(workers)); one router failing does not stop the
    others. A router that cannot be read is reported with one line naming the cause
    (wrong credentials, API port closed, TLS certificate mismatch, no answer, the
    connection closed before the end of a reply, a malformed reply, a sentence beginning
    with no reply word of the API, named with at most 40 characters of it). TLS to the
    plain API is named when the handshake is answered with bytes that are no TLS record
    (or not answered at all), or the port closes it and then answers a plain C(/quit)
    with an API reply word (one more connection, nothing else sent in it). The plain API
    without O(routers[].tls) to a port that speaks TLS (C(api-ssl)) is named when the
    port's first answer is a TLS record (an alert or a handshake), or it closed the
    session right after the login's first sentence and then completes a TLS handshake
    (one more connection, nothing sent in it), or the port is 8729.
  - "No real RouterOS runs in this project's lab: the module is tested against the
    lab's RouterOS API test service (lab/roles/lab_routeros), which speaks the API's
    wire protocol with data shaped like RouterOS 6 and 7. The export needs a RouterOS
    whose C(execute) command offers C(as-string); where it does not, the export is
    reported unavailable with the router's own error and the health is still read.
    The health needs no C(/execute); a router that refuses it for want of a policy
    (C(not enough permissions)) gets an export error naming the policies that may be
    missing (C(test), as RouterOS's own C(read) group has it, else C(write) or C(policy);
    C(sensitive) with O(show_sensitive)), since RouterOS documents none for C(/execute).
    A C(/system/health) refused for want of a policy (C(not enough permissions)) is a
    warning naming C(read); any other refusal (no health menu) or an empty reply is a
    board without sensors."
  - Read-only, never reports a change. Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
requirements: [librouteros >= 3.4 (on the controller)]
options:
  routers:
    description: The routers to read.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name used in the report and the configuration store.
        type: str
        required: true
      host:
        description: Address of the router's API, a host name or an IP address (anything
          else fails the module before any router is read).
        type: str
        required: true
      port:
        description:
          - API port (1-65535; 0 is refused, not taken as the default); when omitted,
            8729 with O(routers[].tls), 8728 without.
        type: int
      tls:
        description: Use the API over TLS (C(api-ssl)).
        type: bool
        default: false
      ca_path:
        description: CA certificate file that signed the router's API certificate.
        type: path
      validate_certs:
        description: Verify the TLS certificate and its name. Switch off only for tests.
        type: bool
        default: true
      username:
        description: API user; the policies C(read) and C(api) read the health, the export's C(/execute) may want one more (see above).
        type: str
        required: true
      password:
        description:
          - Its password (Ansible Vault).
          - Declared C(no_log), so Ansible masks its value in the result. The
            task still wants C(no_log) for the result's RV(routers[].export) and
            RV(store_items), which hold the routers' secrets with O(show_sensitive).
        type: str
        required: true
  export:
    description: Also read the configuration export.
    type: bool
    default: true
  show_sensitive:
    description: Keep secrets (passwords, keys) in the export.
    type: bool
    default: false
  states:
    description:
      - Per router name, the state kept from the previous run (C(states) of
        M(net_config_store)); its C(log_cursor) is the newest log warning already reported.
      - >-
        Each value is the one key of a dict (C({"*1F": true})), as RV(store_items) gives it;
        a value stored as the text itself (before this form) is read too.
      - "A router's state that is no JSON object (a damaged C(NAME/state.json) in the
        store) is a warning naming it, and the router is read as without a state: every
        warning, error and critical line of its log is reported again, and its new state
        is there for M(net_config_store) to write."
    type: dict
    default: {}
  temperature_warn:
    description: Temperature (Celsius) of its hottest sensor from which a router gets a
      warning, more than 0 and at most 125, the most electronic parts are rated for (else
      the module fails with C(setting) C(temperature_warn)).
    type: float
    default: 70
  cpu_warn_percent:
    description: CPU load from which a router gets a warning, more than 0 and at most 100
      percent (else the module fails with C(setting) C(cpu_warn_percent)).
    type: int
    default: 90
  memory_warn_percent:
    description: Memory use from which a router gets a warning, more than 0 and at most 100
      percent (else the module fails with C(setting) C(memory_warn_percent)).
    type: int
    default: 90
  workers:
    description: Routers read at the same time, 1 to 64 (each session may hold up to 32
      MiB of its router's answers in memory), else the module fails with C(setting)
      C(workers).
    type: int
    default: 32
  timeout:
    description:
      - Seconds before a router that does not answer is given up.
      - Connecting and, with O(routers[].tls), the TLS handshake take at most this long
        counted from before the host name is resolved. The resolver itself is not
        bounded by it (the system's resolver has its own time limit, some 10 s for each
        DNS server that does not answer); a name resolved only after this time is given
        up then, as unresolvable. A name with several addresses tries them in
        turn, each given an equal share of the time left, so an address that never
        answers leaves time for the next. Each answer of the login, and of every command
        after it, may take this long again.
      - One router's whole session may take at most 30 times as long and send at most
        32 MiB, each read of a word or its length counted as at least 32 bytes (what a
        word costs in memory, however short); a router that keeps sending, floods short
        rows, or sends a byte now and then, is given up with that error.
      - Above 0 and at most 86400 (one day), else the module fails with C(setting)
        C(timeout).
    type: float
    default: 10
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Read the RouterBoards
  routeros_check:
    routers:
      - name: rb-kantor
        host: 192.168.88.1
        tls: true
        ca_path: /etc/sop/routeros-ca.pem
        username: sop
        password: "{{ vault_routeros_password }}"
  delegate_to: localhost
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  no_log: true
  register: routers
"""

RETURN = r"""
routers:
  description: One entry per router, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: "The router's name from O(routers[].name)."
      type: str
    host:
      description: "The address read, O(routers[].host)."
      type: str
    port:
      description: "The API port read (O(routers[].port) or its default)."
      type: int
    ok:
      description: "Read and without problems."
      type: bool
    error:
      description: "Why the router could not be read (null when read), in Bahasa Indonesia;
        the router's own text and the system's error text as given."
      type: str
    identity:
      description: "/system/identity name."
      type: str
    model:
      description: "Board model."
      type: str
    serial:
      description: "The board's serial number (null on boards without a RouterBOOT, such as a CHR)."
      type: str
    version:
      description: "RouterOS version."
      type: str
    firmware:
      description: "Current RouterBOOT firmware."
      type: str
    firmware_outdated:
      description: "The firmware is older than the installed RouterOS."
      type: bool
    cpu_load:
      description: "CPU load in percent."
      type: int
    memory_used_percent:
      description: "Memory in use."
      type: float
    uptime:
      description: "Uptime as RouterOS writes it."
      type: str
    booted_at:
      description: "When the router started (UTC, from its uptime), kept in the state for
        the next run; it stays the stored value unless the router restarted or its boot
        time moved earlier than the tolerance allows (null when the uptime cannot be
        read). Here it is masked as any text of the result where it holds a no_log value;
        the state in RV(store_items) keeps it unaltered."
      type: str
    restarted:
      description: "The router started again since the previous run (its boot time moved
        later by more than 5 minutes or 0.1% of the time since the stored boot, whichever
        is more): a warning, and every warning in its log is read again."
      type: bool
    temperature:
      description: "Celsius of the hottest temperature sensor the board reports
        (temperature, cpu-temperature, board-temperature1 and the like), null when none."
      type: float
    voltage:
      description: "Volts, null when not reported."
      type: float
    health_states:
      description: "Sensors whose value is a state (C(psu1-state), C(fan-state)); one
        that is not C(ok) is a warning."
      type: dict
    interfaces:
      description: "Name, type, running, errors, drops and link rate per interface (rate
        null where the router refuses to monitor the port: a warning for that port)."
      type: list
    log_warnings:
      description: "Warning, error and critical log lines newer than the previous run's (O(states))."
      type: list
    log_cursor:
      description: "Id of the newest warning, error or critical log line, for the next
        run (the previous cursor when nothing new was logged, null when the log holds no
        warning). It moves only with a new warning, so a router with nothing new leaves
        its stored state unchanged. Masked here as RV(routers[].booted_at) is, not in the
        state."
      type: str
    export:
      description: "Normalised configuration export (null when unavailable, or when it
        holds a password given to the module, which Ansible would return masked): line
        continuations joined, without the header's date line and the comment lines
        RouterOS writes in a menu about the moment (C(# inactive time), C(# ether1 not
        ready)...)."
      type: str
    export_error:
      description: "Why the export is unavailable (Bahasa Indonesia, as RV(routers[].error))."
      type: str
    warnings:
      description: "One line per warning (Bahasa Indonesia); what the router named in it
        (an interface, a sensor, its error) with its control characters escaped (C(\\x0a))."
      type: list
    problems:
      description: "One line per problem (Bahasa Indonesia), escaped as RV(routers[].warnings)."
      type: list
  sample:
    - name: rb-kantor
      ok: true
      identity: rb-kantor
      model: RB4011iGS+
      version: 7.15.3 (stable)
      firmware: 7.15.3
      firmware_outdated: false
      cpu_load: 4
      temperature: 41.0
      voltage: 24.3
      log_cursor: "*1F"
store_items:
  description: >-
    The items for M(net_config_store) - name, normalised export, state (C(log_cursor),
    C(booted_at)), kind (C(routeros)); routers read.
    The state carries each value as the one key of a dict
    (C({"log_cursor": {"*1F": true}, "booted_at": {"2024-05-01T08:00:00+00:00": true}}),
    null for none). Ansible returns a module's result with every no_log value (each
    router's password) replaced by C(********) in every text and number that holds it,
    however short the password, but leaves a dict's keys, true and false as they are
    (C(remove_values) of C(ansible.module_utils.common.parameters)); a password C(1)
    turned a cursor C(*1F) into C(*********F), and the next run reported the router's
    log warnings again.
  returned: always
  type: list
  elements: dict
failed_count:
  description: Routers that could not be read or have problems.
  returned: always
  type: int
"""

import datetime  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule, missing_required_lib  # noqa: E402
from ansible.module_utils.sop_bahasa import angka, angka_ringkas  # noqa: E402
from ansible.module_utils.sop_options import (  # noqa: E402
    RANGES,
    range_error,
    seconds_error,
    target_error,
)
from ansible.module_utils.sop_routeros import (  # noqa: E402
    API_PORT,
    API_SSL_PORT,
    HAS_LIBROUTEROS,
    RouterError,
    RouterTrap,
    boot_time,
    connect,
    export_command,
    flag,
    health_states,
    health_values,
    hottest,
    log_warnings,
    normalise_export,
    run,
    version_tuple,
)
from ansible.module_utils.sop_tree import shown  # noqa: E402


def monitor(api: Any, ports: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The link rate per running Ethernet port, and the ports the router refuses to
    monitor (a !trap, which one such port gives the whole command) with its message."""

    def rates_of(numbers: list[str]) -> dict[str, str]:
        rows = run(api, "/interface/ethernet/monitor", numbers=",".join(numbers), once=True)
        return {str(m.get("name")): str(m.get("rate", "")) for m in rows}

    try:
        return rates_of(ports), {}
    except RouterTrap:
        pass
    rates: dict[str, str] = {}
    refused: dict[str, str] = {}
    for port in ports:  # one by one, to know which
        try:
            rates.update(rates_of([port]))
        except RouterTrap as exc:
            refused[port] = exc.message
    return rates, refused


def interfaces(api: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    rows = run(api, "/interface/print")
    ethers = [r["name"] for r in rows if r.get("type") == "ether" and flag(r.get("running"))]
    rates, refused = monitor(api, ethers) if ethers else ({}, {})
    return [{"name": r["name"], "type": r.get("type", ""), "running": flag(r.get("running")),
             "disabled": flag(r.get("disabled")), "rx_error": int(r.get("rx-error", 0)),
             "tx_error": int(r.get("tx-error", 0)), "rx_drop": int(r.get("rx-drop", 0)),
             "tx_drop": int(r.get("tx-drop", 0)), "link_downs": int(r.get("link-downs", 0)),
             "rate": rates.get(r["name"])} for r in rows], refused


def exported(rows: list[dict[str, str]]) -> str:
    """The normalised export in /execute's reply (its ``ret``); RouterError when the
    reply holds none: an export is never empty (its header names the RouterOS)."""
    text = next((row["ret"] for row in rows if row.get("ret")), None)
    if text is None:
        raise RouterError("/execute: balasan tidak memuat ekspor")
    return normalise_export(text)


# RouterOS's !trap to a command the user's group has no policy for (text as RouterOS 6
# and 7 send it, "not enough permissions (9)").
NO_PERMISSION = "not enough permissions"


def export_refused(exc: RouterTrap, show_sensitive: bool) -> str:
    """The export's error when the router refused /execute for want of a policy: which
    policies may be missing. RouterOS's manual names no policy for /execute (its read
    policy allows every command that does not change the configuration; its built-in
    read group also has test and sensitive, a group of read and api alone has neither);
    only a real router can tell which one it wants."""
    if NO_PERMISSION not in exc.message:
        return str(exc)
    sensitive = "'sensitive' (show_sensitive), " if show_sensitive else ""
    return (f"{exc} (grup pengguna API tidak memiliki policy yang diperlukan /execute: "
            f"{sensitive}'test' seperti pada grup read bawaan RouterOS, atau 'write' atau "
            "'policy', yang juga mengizinkan pengguna ini mengubah router; sensor dibaca "
            "tanpa /execute)")


def read_health(api: Any) -> tuple[list[dict[str, str]], str | None]:
    """/system/health's rows, and why it was refused for want of a policy (None when
    read). Any other !trap is a board without sensors (CHR, some hAP: no health menu,
    "no such command prefix"), as an empty reply is; any other error (no answer in
    time) ends the session's reading."""
    try:
        return run(api, "/system/health/print"), None
    except RouterTrap as exc:
        if NO_PERMISSION not in exc.message:
            return [], None
        return [], (f"{exc} (grup pengguna API tidak memiliki policy 'read', yang menurut "
                    "manual RouterOS diperlukan setiap perintah yang tidak mengubah "
                    "konfigurasi)")


def read_router(spec: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The router's result, its warnings and problems each on one line: what the router
    named in them (an interface, a sensor, its own error) with its control characters
    escaped (sop_tree.shown), so that a name holding a newline forges no line of a
    report."""
    result = read_unescaped(spec, params)
    for lines in ("warnings", "problems"):
        result[lines] = [shown(line) for line in result[lines]]
    return result


def read_unescaped(spec: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    name = spec["name"]
    port = spec["port"]
    if port is None:
        port = API_SSL_PORT if spec["tls"] else API_PORT
    result: dict[str, Any] = {"name": name, "host": spec["host"], "port": port, "ok": False,
                              "error": None, "export": None, "export_error": None,
                              "warnings": [], "problems": []}
    try:
        api = connect(spec["host"], port, spec["username"], spec["password"], tls=spec["tls"],
                      ca_path=spec["ca_path"], validate_certs=spec["validate_certs"],
                      timeout=params["timeout"])
    except RouterError as exc:
        result["error"] = str(exc)
        result["problems"].append(f"router {name} tidak dapat dibaca: {exc}")
        return result
    try:
        fill(api, result, params)
    except RouterError as exc:
        result["error"] = str(exc)
        result["problems"].append(f"router {name} tidak dapat dibaca: {exc}")
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # well-formed sentences, but not what RouterOS answers (no resource row, a
        # counter that is not a number, an uptime of 99999999w, before the year 1): this
        # router's error, not the module's crash
        error = (f"RouterOS di {spec['host']}:{port} menjawab dengan data yang tidak "
                 f"dikirim RouterOS ({type(exc).__name__})")
        result["error"] = error
        result["problems"].append(f"router {name} tidak dapat dibaca: {error}")
    finally:
        api.close()
    result["ok"] = not result["problems"]
    return result


# What a state.json that is no object holds, as JSON names it.
JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean",
              type(None): "null"}


def fill(api: Any, result: dict[str, Any], params: dict[str, Any]) -> None:
    name = result["name"]
    identity = run(api, "/system/identity/print")
    resource = run(api, "/system/resource/print")[0]
    board = (run(api, "/system/routerboard/print") or [{}])[0]
    packages = run(api, "/system/package/print")
    sensors, health_refused = read_health(api)
    health, states = health_values(sensors), health_states(sensors)
    version = resource.get("version", "")
    installed = max((version_tuple(p.get("version", "")) for p in packages
                     if not flag(p.get("disabled"))), default=version_tuple(version))
    firmware = board.get("current-firmware") or None
    outdated = bool(firmware and flag(board.get("routerboard"))
                    and version_tuple(firmware) < installed)
    total = float(resource.get("total-memory", 0) or 0)
    used = round(100 * (1 - float(resource.get("free-memory", 0)) / total), 1) if total else None
    cpu = int(resource.get("cpu-load", 0))
    sensor, temperature = hottest(health) or (None, None)
    ports, unmonitored = interfaces(api)
    state = params["states"].get(name, {})
    if not isinstance(state, dict):  # net_config_store returns what the file holds
        kind = JSON_TYPES.get(type(state), type(state).__name__)
        result["warnings"].append(
            f"{name}: status tersimpan {name}/state.json di penyimpanan konfigurasi "
            f"(net_config_store) bukan objek JSON melainkan {kind}; diabaikan, semua "
            "peringatan log router ini dibaca ulang")
        state = {}
    booted_at, restarted = boot_time(resource.get("uptime"),
                                     datetime.datetime.now(datetime.timezone.utc),
                                     unkept(state.get("booted_at")))
    warnings, cursor = log_warnings(run(api, "/log/print"), unkept(state.get("log_cursor")),
                                    restarted)
    result.update({
        "identity": identity[0].get("name") if identity else None,
        "model": board.get("model") or resource.get("board-name"),
        "serial": board.get("serial-number"), "version": version, "firmware": firmware,
        "firmware_outdated": outdated, "cpu_load": cpu, "memory_used_percent": used,
        "uptime": resource.get("uptime"), "booted_at": booted_at, "restarted": restarted,
        "temperature": temperature,
        "voltage": health.get("voltage"), "health_states": states, "interfaces": ports,
        "log_warnings": warnings, "log_cursor": cursor,
    })
    w = result["warnings"]
    if health_refused:
        w.append(f"{name}: sensor (suhu, tegangan, catu daya, kipas) tidak dapat dibaca "
                 f"({health_refused})")
    if restarted:
        w.append(f"{name}: router dinyalakan ulang sejak pemeriksaan terakhir "
                 f"(uptime {resource.get('uptime')})")
    w.extend(f"{name}: sensor {sensor} melaporkan {state}"
             for sensor, state in sorted(states.items()) if state.lower() != "ok")
    if outdated:
        w.append(f"{name}: firmware RouterBOOT {firmware} lebih lama dari RouterOS {version}")
    if cpu >= params["cpu_warn_percent"]:
        w.append(f"{name}: beban CPU {angka(cpu)}%")
    if used is not None and used >= params["memory_warn_percent"]:
        w.append(f"{name}: memori terpakai {angka(used, 1)}%")
    if temperature is not None and temperature >= params["temperature_warn"]:
        where = "" if sensor == "temperature" else f" ({sensor})"
        w.append(f"{name}: suhu {angka_ringkas(temperature)} C{where}")
    for i in result["interfaces"]:
        if not i["disabled"] and (i["rx_error"] or i["tx_error"]):
            w.append(f"{name}: interface {i['name']} error rx {i['rx_error']} tx {i['tx_error']}")
    for port, message in unmonitored.items():
        w.append(f"{name}: interface {port} tidak dapat dimonitor ({message})")
    if warnings:
        w.append(f"{name}: {len(warnings)} peringatan baru di log")
    if params["export"]:
        script = export_command(version_tuple(version), params["show_sensitive"])
        try:
            result["export"] = exported(run(api, "/execute", script=script, **{"as-string": ""}))
        except RouterTrap as exc:
            result["export_error"] = export_refused(exc, params["show_sensitive"])
        except RouterError as exc:
            result["export_error"] = str(exc)
        if result["export_error"]:
            w.append(f"{name}: ekspor konfigurasi tidak tersedia ({result['export_error']})")


def kept(value: str | None) -> dict[str, bool] | None:
    """A value of the state in a form Ansible's masking of no_log values leaves alone: the
    one key of a dict (remove_values masks every text and number holding a no_log value,
    a password "1" the cursor *1F, but no key, and no true)."""
    return None if value is None else {value: True}


def unkept(value: Any) -> str | None:
    """A value of the stored state: the key ``kept`` made it, or the text itself as a
    state stored before that form holds it; None for anything else."""
    if isinstance(value, dict) and len(value) == 1:
        return str(next(iter(value)))
    return value if isinstance(value, str) else None


# Why an export holding a password given to the module is not returned: Ansible returns a
# module's result with each no_log option's value replaced by ******** wherever it appears.
ALTERED_EXPORT = ("ekspor memuat teks kata sandi yang diberikan ke modul ini (kata sandi "
                  "API di routers), yang diganti Ansible dengan ******** di mana pun teks "
                  "itu muncul dalam hasil modul: penyimpanan konfigurasi akan menyimpan "
                  "salinan yang berubah itu; beri pengguna API kata sandi yang tidak ada di "
                  "konfigurasi router mana pun")


def withhold_altered_export(result: dict[str, Any], secrets: Any) -> None:
    """An export that Ansible would return altered (it holds one of ``secrets``, the
    module's no_log values: a PPP secret or Wi-Fi key equal to an API password, a weak
    password that is a word of the configuration) is not returned, with its warning: the
    configuration store keeps the stored copy instead of one with ******** in it."""
    export = result["export"]
    if export is None or not any(secret in export for secret in secrets):
        return
    result["export"], result["export_error"] = None, ALTERED_EXPORT
    result["warnings"].append(
        shown(f"{result['name']}: ekspor konfigurasi tidak tersedia ({ALTERED_EXPORT})"))


def main() -> None:
    router_spec = {
        "name": {"type": "str", "required": True},
        "host": {"type": "str", "required": True},
        "port": {"type": "int"},
        "tls": {"type": "bool", "default": False},
        "ca_path": {"type": "path"},
        "validate_certs": {"type": "bool", "default": True},
        "username": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
    }
    module = AnsibleModule(
        argument_spec={
            "routers": {"type": "list", "elements": "dict", "required": True, "options": router_spec},
            "export": {"type": "bool", "default": True},
            "show_sensitive": {"type": "bool", "default": False},
            "states": {"type": "dict", "default": {}},
            "temperature_warn": {"type": "float", "default": 70},
            "cpu_warn_percent": {"type": "int", "default": 90},
            "memory_warn_percent": {"type": "int", "default": 90},
            "workers": {"type": "int", "default": 32},
            "timeout": {"type": "float", "default": 10},
        },
        supports_check_mode=True,
    )
    if not HAS_LIBROUTEROS:
        module.fail_json(msg=missing_required_lib("librouteros"))
    p = module.params
    bad_setting = (seconds_error(p, "timeout")
                   or range_error(p, "cpu_warn_percent", "memory_warn_percent",
                                  **RANGES["warn_percent"])
                   or range_error(p, "temperature_warn", **RANGES["temperature_warn"])
                   or range_error(p, "workers", **RANGES["workers"]))
    if bad_setting:
        module.fail_json(**bad_setting)
    for router in p["routers"]:
        if router["port"] is not None and not 0 < router["port"] < 65536:
            module.fail_json(
                msg=f"routers[{router['name']}].port: must be 1-65535, not {router['port']}")
        # a host with a space or a ';' failed only when read, as that router's fault
        bad_host = target_error(router["host"], "host")
        if bad_host:
            module.fail_json(msg=f"routers[{router['name']}].host: {bad_host}")
    names = [r["name"] for r in p["routers"]]
    if len(set(names)) != len(names):
        module.fail_json(msg="router names must be unique: " + ", ".join(sorted({n for n in names if names.count(n) > 1})))
    with ThreadPoolExecutor(max_workers=min(p["workers"], len(names) or 1)) as pool:
        results = list(pool.map(lambda spec: read_router(spec, p), p["routers"]))
    for result in results:
        withhold_altered_export(result, module.no_log_values)
    items = [{"name": r["name"], "content": r["export"], "kind": "routeros",
              "state": {"log_cursor": kept(r["log_cursor"]), "booted_at": kept(r["booted_at"])}}
             for r in results if r["error"] is None]
    module.exit_json(changed=False, routers=results, store_items=items,
                     failed_count=sum(1 for r in results if not r["ok"]))


if __name__ == "__main__":
    main()
