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
    active alarm (C(ALARM), with the text of C(ups.alarm)) is C(fail), and so is an answer
    without C(ups.status) (C(tidak melaporkan ups.status), the UPS's state not known);
    a battery self-test that failed (C(ups.test.result) C(Done and error), C(failed)) is
    C(fail), one that warned (C(Done and warning)) C(warning);
    flags the SOP does not know (C(CAL), C(HB), a newer NUT's) are C(warning), beside
    online (C(OL)) too; online charging or discharging its battery (C(CHRG), C(DISCHRG)) or
    trimming or boosting the mains' voltage (C(TRIM), C(BOOST)) is C(ok).
  - A reading outside its physical range (C(battery.charge) below 0 or above 100,
    C(battery.runtime) or C(ups.load) below 0; a broken firmware's or driver's) is named
    as such with its value (C(nilai battery.charge tidak wajar)), a C(warning) at least, and
    left out of the numbers returned; a load above 100 is an overload, graded by
    C(OVER). So is a value that is no number (C(nilai battery.charge bukan angka) with
    C(n/a), C(nan) or C(inf)); a reading the UPS does not report is only left out.
  - With O(battery_max_age_days), a battery older than that many days by C(battery.date)
    (installed or last replaced, as the UPS keeps it) or, without it,
    C(battery.mfr.date) (made) is a C(warning), and so is a date that is no date of the
    forms NUT's drivers write (C(YYYY/MM/DD), C(YYYY-MM-DD), C(MM/DD/YY); another, such
    as a C(DD/MM/YY) firmware's C(13/11/15), is named as unreadable, never guessed) or a
    date after today; a UPS that reports neither date is noted in C(message) without
    changing its grade.
  - >-
    A date of the form C(NN/NN/NN) is always read month first (C(MM/DD/YY), as apcsmart's
    UPSes write it; a year C(00) to C(68) as 2000 to 2068, C(69) to C(99) as 1969 to
    1999): a C(DD/MM/YY) firmware's date whose day is 12 or less
    cannot be told from one and is read wrong (C(05/11/15) as 11 May 2015), so a finding on
    such a date says how it was read (C(dibaca MM/DD/YY sebagai 2015-05-11)); C(battery_date)
    returns the date as read. Set C(battery.date) as C(YYYY/MM/DD) where the UPS takes it.
  - A NUT server that cannot be reached or a UPS it does not know is one clear line
    (C(error), status C(fail)); the module itself does not fail, the playbook decides.
    NUT's C(Data stale), C(Driver not connected), C(Unknown UPS), C(Connection failure),
    C(No such host), C(Access denied), C(Server disconnected), C(Read error), C(Write
    error), C(Invalid response from server) and C(Protocol error) keep NUT's words in
    C(error), and C(message) adds what they mean in Bahasa Indonesia (a data cable
    unplugged or the UPS off; the NUT driver not running; a UPS name that C(ups.conf) does
    not have; C(upsd) not running, a wrong address or a firewall; an unknown host name; the
    NUT server's tcp-wrappers refusing this host; a NUT server that closed the connection
    or did not answer within the 5 s C(upsc) waits for each line, a hung C(upsd); the
    connection cut; an address and port that are no NUT server's). C(Unknown error) is
    C(upsc)'s word for an C(ERR) code of C(upsd) it does not know, whose code it never
    prints, and for a failed DNS lookup; C(message) says so in Bahasa Indonesia. Another
    cause is shown as C(upsc) wrote it, its control characters escaped (C(\x1b)).
  - What C(upsc) printed before its error (the variables a NUT server sent before it
    closed the connection) is never graded nor taken for the cause. The module takes no
    NUT username or password (C(upsc) needs none to read).
  - Needs C(upsc) (Debian package C(nut-client)) on the host it runs on. Read-only;
    supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  ups:
    description:
      - The UPS as NUT names it, C(upsname[@hostname[:port]]) (upsc(8)); without a
        hostname, the NUT server on C(localhost).
      - The name and the hostname are letters, digits, C(.), C(_) and C(-), not starting
        with C(-) (a name that would reach C(upsc) as an option, C(-l)); the hostname may
        be an IPv6 address in brackets; the port is 1 to 65535. Anything else fails the
        module in one line, before C(upsc) runs, with C(setting) C(ups).
    type: str
    required: true
  timeout:
    description:
      - Seconds C(upsc) may take; a NUT server whose connection is neither accepted nor
        refused (a firewall dropping it, C(upsc) waiting as long as the system tries to
        connect) or that answers too slowly is then a failed read (status C(fail))
        instead of a hung SOP. One that accepts the connection and then says nothing is
        C(upsc)'s own C(Server disconnected) after 5 s.
      - C(upsc) may print at most 1 MiB (a UPS has some hundred variables of a few dozen
        bytes); a NUT server that never ends its list of variables is likewise a failed
        read, instead of filling the memory of the host C(upsc) runs on.
      - Either keeps the module's English cause in C(error), and C(message) adds what it
        means in Bahasa Indonesia.
      - Above 0 and at most 86400 (one day), else the module fails with C(setting)
        C(timeout).
    type: int
    default: 30
  battery_max_age_days:
    description:
      - Days from C(battery.date) (or C(battery.mfr.date)) after which the battery is a
        C(warning), due for replacement; C(0) checks no age (a court's policy, off by
        default).
      - >-
        A negative number or one above 3650 (ten years) fails the module with C(setting)
        C(battery_max_age_days).
    type: int
    default: 0
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
    battery_date: "2024-03-01"
    battery_age_days: 640
    error: null
    message: UPS ups-server@backup online, baterai 100%, sisa waktu 30 menit, beban 35%
"""

import contextlib  # noqa: E402
import datetime  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import selectors  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from typing import IO, Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka, angka_ringkas  # noqa: E402
from ansible.module_utils.sop_options import (  # noqa: E402
    duration_error,
    seconds_error,
    target_error,
)
from ansible.module_utils.sop_tree import shown  # noqa: E402

# What upsc may print: a UPS has some hundred variables of a few dozen bytes, and upsc
# prints each as the NUT server sends it, as long as the server goes on sending.
MAX_OUTPUT = 1024 * 1024

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
# beside online, what a UPS in order says: charging or discharging its battery, trimming or
# boosting the mains' voltage; any other word (CAL, HB, a newer NUT's) is a warning
NORMAL_FLAGS = {"OL", "CHRG", "DISCHRG", "TRIM", "BOOST"}
# ups.test.result of a battery self-test that failed ("Done and error", "failed", any case)
# or warned ("Done and warning"); passed, aborted, in progress or none are no finding
TEST_FAILED = re.compile(r"\b(error|fail\w*)\b", re.IGNORECASE)
TEST_WARNED = re.compile(r"\bwarning\b", re.IGNORECASE)

# The physical range of a reading: outside it, the number is a broken firmware's or
# driver's, not the UPS's state (a load above 100 is an overload: the OVER flag)
RANGES = {
    "battery.charge": (0.0, 100.0),
    "battery.runtime": (0.0, math.inf),
    "ups.load": (0.0, math.inf),
}
# The battery's date: installed or last replaced, else made (NUT's battery.date,
# battery.mfr.date), in the forms drivers write it (usbhid-ups YYYY/MM/DD, apcsmart
# MM/DD/YY); any other is not guessed (a DD/MM/YY firmware's 13/11/15). A DD/MM/YY
# firmware's date whose day is 12 or less reads as MM/DD/YY too (05/11/15, 11 May): a
# finding on a date of that form says how it was read.
BATTERY_DATES = ("battery.date", "battery.mfr.date")
MONTH_FIRST = "%m/%d/%y"
DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", MONTH_FIRST)

# upsc's errors (after "Error: ", each alone or followed by ": " and the system's reason,
# "Connection failure: Connection refused") that need a hint of what to check, in Bahasa
# Indonesia (NUT's clients/upsclient.c names them)
NUT_ERRORS = {
    "Data stale": "driver NUT tidak menerima data dari UPS: kabel data lepas atau UPS mati",
    "Driver not connected": "driver NUT tidak berjalan atau tidak tersambung ke server NUT "
                            "(upsd): periksa layanan nut-driver",
    "Unknown UPS": "server NUT tidak mengenal UPS dengan nama ini: periksa nama di ups.conf "
                   "(upsc -l HOST menampilkan nama yang dikenal)",
    "Connection failure": "server NUT (upsd) tidak dapat dihubungi: layanan nut-server tidak "
                          "berjalan, alamat atau port salah, atau diblokir firewall",
    "No such host": "nama komputer server NUT tidak dikenal (DNS atau /etc/hosts)",
    "Access denied": "server NUT menolak akses dari komputer ini: periksa /etc/hosts.allow "
                     "dan /etc/hosts.deny di server NUT",
    # upsclient waits 5 s for each line of an answer: a NUT server that closes the
    # connection, or keeps it open without answering, is "Server disconnected"
    "Server disconnected": "server NUT memutus koneksi atau tidak menjawab dalam 5 detik: upsd "
                           "macet atau sedang dihentikan",
    "Read error": "koneksi ke server NUT terputus saat membaca jawabannya (jaringan atau upsd "
                  "berhenti)",
    "Write error": "koneksi ke server NUT terputus saat mengirim permintaan (jaringan atau upsd "
                   "berhenti)",
    "Invalid response from server": "jawaban server tidak dapat dibaca: alamat dan port itu "
                                    "bukan server NUT (upsd)",
    "Protocol error": "jawaban server tidak dapat dibaca: alamat dan port itu bukan server NUT "
                      "(upsd)",
    # upsclient's name for an ERR code of upsd it does not know (a newer upsd's; upsc
    # never prints the code itself) and for a host name lookup failing otherwise than
    # "No such host" (a DNS server that fails)
    "Unknown error": "server NUT menjawab ERR dengan kode yang tidak dikenal upsc (upsc tidak "
                     "menampilkan kodenya: upsd lebih baru dari nut-client di sini?), atau nama "
                     "komputer server NUT gagal dicari di DNS",
}


def hint(cause: str) -> str | None:
    """What to check for upsc's error ``cause``, in Bahasa Indonesia; None when unknown."""
    text = cause.removeprefix("Error: ")
    return next((explained for error, explained in NUT_ERRORS.items()
                 if text == error or text.startswith(f"{error}: ")), None)


def number(value: str | None) -> float | None:
    """A NUT value as a number; None when missing or no finite number ("nan", "inf")."""
    try:
        result = float(value) if value is not None else None
    except ValueError:
        return None
    return result if result is None or math.isfinite(result) else None


def date_of(text: str) -> tuple[datetime.date, str] | None:
    """A NUT date (DATE_FORMATS) as a date, with the form it was read in; None when it is
    none of them."""
    for form in DATE_FORMATS:
        with contextlib.suppress(ValueError):
            return datetime.datetime.strptime(text, form).date(), form
    return None


def battery_age(variables: dict[str, str], max_days: int, today: datetime.date
                ) -> tuple[datetime.date | None, int | None, str | None, str | None]:
    """The battery's date and age in days (None when unknown or after ``today``), then,
    when ``max_days`` is more than 0, in Bahasa Indonesia: what is wrong with them (a
    warning), or that the UPS reports no date (a note)."""
    key = next((key for key in BATTERY_DATES if variables.get(key)), None)
    read = date_of(variables[key]) if key else None
    made = read[0] if read else None
    age = (today - made).days if made and made <= today else None
    if max_days <= 0:
        return made, age, None, None
    if key is None:
        return made, age, None, ("umur baterai tidak dapat diperiksa: UPS tidak melaporkan "
                                 "battery.date maupun battery.mfr.date")
    text = variables[key]
    # how a month-first date was read: a DD/MM/YY firmware's 05/11/15 reads as 11 May
    reading = (f"dibaca MM/DD/YY sebagai {read[0].isoformat()}"
               if read and read[1] == MONTH_FIRST else "")
    if made is None:
        return made, age, (f"{key} '{text}' bukan tanggal yang dikenali (YYYY/MM/DD, "
                           "YYYY-MM-DD atau MM/DD/YY): umur baterai tidak dapat diperiksa"), None
    if age is None:
        return made, age, (f"{key} {text}{f' ({reading})' if reading else ''} jatuh setelah "
                           "hari ini: umur baterai tidak dapat diperiksa (jam UPS salah?)"), None
    if age > max_days:
        return made, age, (f"baterai berumur {angka(age)} hari ({key} {text}"
                           f"{f', {reading}' if reading else ''}), melewati "
                           f"batas {angka(max_days)} hari: rencanakan penggantian baterai"), None
    return made, age, None, None


def grade(name: str, variables: dict[str, str], max_age_days: int = 0,
          today: datetime.date | None = None) -> dict[str, Any]:
    """The UPS's grade from upsc's ``variables``; the battery's age is checked against
    ``max_age_days`` (0: not) on ``today`` (the host's date when None)."""
    flags = variables.get("ups.status", "").split()
    read = {key: number(variables.get(key)) for key in RANGES}
    kept = {key: value for key, value in read.items()
            if value is not None and RANGES[key][0] <= value <= RANGES[key][1]}
    # a value given that is no number ("n/a", "nan") is named too, never left out unsaid
    invalid = [f"nilai {key} {'tidak wajar' if value is not None else 'bukan angka'}: "
               f"{variables[key]}" for key, value in read.items()
               if variables.get(key) and key not in kept]
    charge, runtime, load = (kept.get(key) for key in RANGES)
    made, age, aged, noted = battery_age(variables, max_age_days,
                                         today or datetime.date.today())
    alarm = variables.get("ups.alarm")
    failed = [f"{text}: {alarm}" if flag == "ALARM" and alarm else text
              for flag, text in FAIL_FLAGS.items() if flag in flags]
    unknown = [flag for flag in flags
               if flag not in FAIL_FLAGS and flag not in WARNING_FLAGS and flag not in NORMAL_FLAGS]
    warned = [text for flag, text in WARNING_FLAGS.items() if flag in flags] + (
        [f"status tidak dikenal '{' '.join(unknown)}'"] if unknown else [])
    tested = variables.get("ups.test.result", "")
    if TEST_FAILED.search(tested):
        failed.append(f"uji baterai terakhir gagal (ups.test.result '{tested}')")
    elif TEST_WARNED.search(tested):
        warned.append(f"uji baterai terakhir dengan peringatan (ups.test.result '{tested}')")
    if not flags:  # the state is not known: the load may not be protected
        status, state = "fail", ("tidak melaporkan ups.status (keadaan UPS tidak diketahui: "
                                 "periksa driver NUT)")
    elif failed:
        status, state = "fail", ", ".join(failed + warned)
    elif warned:
        status, state = "warning", ", ".join(warned)
    elif "OL" in flags:
        status, state = "ok", "online"
    else:
        status, state = "warning", f"status tidak dikenal '{' '.join(flags)}'"
    if status == "ok" and (invalid or aged):  # a reading not to trust, a battery due
        status = "warning"
    state = ", ".join([state, *invalid, *(text for text in (aged, noted) if text)])
    details = [
        f"baterai {angka_ringkas(charge)}%" if charge is not None else None,
        f"sisa waktu {angka_ringkas(round(runtime / 60, 1))} menit" if runtime is not None else None,
        f"beban {angka_ringkas(load)}%" if load is not None else None,
    ]
    return {
        "ups": name,
        "status": status,
        "flags": flags,
        "charge_percent": charge,
        "runtime_seconds": int(runtime) if runtime is not None else None,
        "load_percent": load,
        "battery_date": made.isoformat() if made else None,
        "battery_age_days": age,
        "model": variables.get("device.model") or variables.get("ups.model"),
        "error": None,
        "message": f"UPS {name} {state}" + "".join(f", {d}" for d in details if d),
    }


def run_upsc(argv: list[str], seconds: float,
             limit: int = MAX_OUTPUT) -> tuple[int | None, str, str, str | None]:
    """upsc's exit status, output, errors and None, read up to ``limit`` bytes within
    ``seconds``; past either it is killed: its status None, its errors why, and the last
    what that means in Bahasa Indonesia."""
    deadline = time.monotonic() + seconds
    stopped = f"upsc did not answer within {seconds:g} s (a hung NUT server?)"
    explained = (f"server NUT tidak menjawab dalam {angka_ringkas(seconds)} detik: upsd macet, "
                 "atau firewall membuang koneksi tanpa menolaknya")
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env={**os.environ, "LANG": "C"}) as proc, \
            selectors.DefaultSelector() as selector:
        read: dict[IO[bytes], bytearray] = {}
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                read[pipe] = bytearray()
                selector.register(pipe, selectors.EVENT_READ)
        over = False
        while selector.get_map() and not over and time.monotonic() < deadline:
            for key, _events in selector.select(deadline - time.monotonic()):
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                read[key.fileobj] += data  # type: ignore[index]
            over = sum(len(data) for data in read.values()) > limit
        rc: int | None = None
        if over:
            stopped = (f"upsc printed more than {limit // 1024} KiB (a NUT server that "
                       "does not end its list of variables?)")
            explained = ("server NUT mengirim daftar variabel tanpa akhir: upsd rusak, atau "
                         "alamat dan port itu bukan server NUT")
        elif not selector.get_map():
            with contextlib.suppress(subprocess.TimeoutExpired):
                rc = proc.wait(max(0.0, deadline - time.monotonic()))
        if rc is None:
            proc.kill()
        out, err = (bytes(data).decode("utf-8", "replace") for data in read.values())
    return (rc, out, stopped, explained) if rc is None else (rc, out, err, None)


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
                       "timeout": {"type": "int", "default": 30},
                       "battery_max_age_days": {"type": "int", "default": 0}},
        supports_check_mode=True,
    )
    name = module.params["ups"]
    # a name starting with '-' would reach upsc as its option (-l); upsc is also given
    # it after "--"
    bad_ups = target_error(name, "ups")
    if bad_ups:
        module.fail_json(msg=f"ups: {bad_ups}", setting="ups")
    bad_age = duration_error(module.params, "battery_max_age_days", unit="days",
                             zero="checks no age")
    if bad_age:
        module.fail_json(**bad_age)
    max_age_days = module.params["battery_max_age_days"]
    upsc = module.get_bin_path("upsc")
    if not upsc:
        module.fail_json(msg="upsc not found: install the nut-client package")
    bad_timeout = seconds_error(module.params, "timeout")
    if bad_timeout:
        module.fail_json(**bad_timeout)
    seconds = module.params["timeout"]
    rc, out, err, stopped = run_upsc([upsc, "--", name], seconds)
    if rc is None:
        out = ""
    if rc != 0 or not out.strip():
        # upsc writes its errors to stderr; what it printed before one (the variables a
        # NUT server sent before it closed the connection) is no cause
        lines = [line for line in err.strip().splitlines() if not line.startswith("Init SSL")]
        cause = lines[-1] if lines else (
            f"upsc killed by signal {-rc}" if rc is not None and rc < 0 else f"upsc exit {rc}")
        # (upsc's words, which may carry what the network sent: on one line)
        message = f"UPS {name} tidak dapat dibaca dari server NUT: {shown(cause)}"
        explained = stopped or hint(cause)
        if explained:
            message += f" ({explained})"
        module.exit_json(
            changed=False,
            ups={"ups": name, "status": "fail", "flags": [], "error": cause, "message": message},
        )
    module.exit_json(changed=False, ups=grade(name, parse(out), max_age_days))


if __name__ == "__main__":
    main()
