"""Event-to-activity mapping: tags from the callback's file, statuses, outputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sop.catalogue import load_catalogue
from sop.events import (
    HIDDEN,
    MAX_OUTPUT_CHARS,
    MAX_WARNINGS_PER_ACTIVITY,
    EventRecorder,
    TagIndex,
    extract_outputs,
    extract_warnings,
    failure_cause,
)
from sop.runner import _activity_rows, _initial_activities
from sop.store import Store

from .conftest import FIXTURES


def _event(kind: str, uuid: str, created: str, **data: Any) -> dict[str, Any]:
    return {
        "event": kind,
        "created": f"2025-01-01T00:00:{created}+00:00",
        "event_data": {"task_uuid": uuid, "task": f"task {uuid}", **data},
    }


class _Arrivals:
    """The recorder's monotonic clock, each event arriving at the second its `created`
    names (the wall clock left alone)."""

    def __init__(self) -> None:
        self.at = 0.0

    def __call__(self) -> float:
        return self.at

    def recorder(self, recorder: EventRecorder) -> Callable[[dict[str, Any]], bool]:
        recorder.clock = self

        def send(event: dict[str, Any]) -> bool:
            self.at = datetime.fromisoformat(event["created"]).timestamp()
            return recorder(event)

        return send


def test_tasks_map_to_activities_lazily(tmp_path: Path) -> None:
    tags_file = tmp_path / "tags.jsonl"
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tags_file))
    send = _Arrivals().recorder(recorder)
    # The task start arrives before the callback wrote the task's line: resolved later.
    send(_event("playbook_on_task_start", "u1", "00"))
    with tags_file.open("w") as out:
        out.write(json.dumps({"uuid": "u1", "tags": ["extra", "persiapan"]}) + "\n")
        out.write(json.dumps({"uuid": "u2", "tags": ["backup", "persiapan"]}) + "\n")
        out.write(json.dumps({"uuid": "u3", "tags": []}) + "\n")
        out.write('{"uuid": "u4", "ta')  # partial line: read when complete
    send(_event("runner_on_ok", "u1", "01", host="h1", res={"changed": True}))
    send(_event("runner_on_ok", "u2", "02", host="h1", res={}))
    send(_event("runner_on_ok", "u3", "03", host="h1", res={}))
    with tags_file.open("a") as out:
        out.write('gs": ["backup"]}\n')
    send(_event("runner_on_failed", "u4", "09", host="h2", res={"msg": "boom\nmore"}))
    recorder({"event": "playbook_on_stats", "event_data": {"ok": {"h1": 3}, "dark": {"h2": 1}}})

    first, second = recorder.activities[1], recorder.activities[2]
    assert first.status == "changed"  # u1 and u2 (both carry persiapan: catalogue order wins)
    assert first.counts["ok"] == 1 and first.counts["changed"] == 1
    assert first.duration == 2.0
    assert second.status == "failed"
    assert second.hosts == {"h2"}
    assert second.outputs == [{"host": "h2", "task": "task u4", "error": "boom"}]
    assert second.over_time is False  # 0 s against a 1 s limit
    assert recorder.host_stats()[0] == {
        "host": "h1",
        "ok": 3,
        "changed": 0,
        "failures": 0,
        "unreachable": 0,
        "skipped": 0,
        "rescued": 0,
        "ignored": 0,
    }


def test_ignored_failure_counts_as_ok(tmp_path: Path) -> None:
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    (tmp_path / "t").write_text(json.dumps({"uuid": "u", "tags": ["backup"]}) + "\n")
    recorder = EventRecorder(sop, TagIndex(tmp_path / "t"))
    recorder(
        _event(
            "runner_on_failed", "u", "00", host="h", ignore_errors=True, res={"censored": "hidden"}
        )
    )
    assert recorder.activities[2].status == "ok"
    assert recorder.activities[1].status == "not-run"
    # One that changed something is changed, as Ansible counts it (ok, ignored, changed).
    with (tmp_path / "t").open("a") as out:
        out.write(json.dumps({"uuid": "c", "tags": ["persiapan"]}) + "\n")
    changed = {"censored": "hidden", "changed": True}
    recorder(_event("runner_on_failed", "c", "01", host="h", ignore_errors=True, res=changed))
    assert recorder.activities[1].status == "changed"


# An unreachable result as ansible-runner's event has it (a host on a closed port), with
# ignore_unreachable or without: the event says nothing of it.
UNREACHABLE = {
    "unreachable": True,
    "exception": "(traceback unavailable)",
    "msg": "Task failed: Failed to connect to the host via ssh: ssh: connect to host "
    "127.0.0.1 port 1: Connection refused",
    "changed": False,
    "_ansible_no_log": False,
}
UNREACHABLE_CAUSE = (
    "Failed to connect to the host via ssh: ssh: connect to host 127.0.0.1 port 1: "
    "Connection refused"
)


def test_an_unreachable_host_a_task_ignores_counts_as_ok(tmp_path: Path) -> None:
    """`ignore_unreachable: true` on a task whose host is down: Ansible goes on with the
    play for the host and counts the result ok and ignored (PLAY RECAP unreachable=0,
    ignored=1), as for a failure with ignore_errors. The activity was recorded
    unreachable, the host's error in its outputs, and the execution's error named it.
    It is recorded as an ignored failure is: ok, no error. The callback's line says the
    task ignored it (the event does not); the same task without it stays unreachable."""
    tags_file = tmp_path / "t"
    lines = [
        {"uuid": "u1", "tags": ["persiapan"]},
        {"uuid": "u1", "host": "gone", "ignore_unreachable": True},
        {"uuid": "u2", "tags": ["backup"]},
    ]
    tags_file.write_text("".join(json.dumps(line) + "\n" for line in lines))
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tags_file))
    recorder(_event("playbook_on_task_start", "u1", "00"))
    recorder(_event("runner_on_unreachable", "u1", "01", host="gone", res=UNREACHABLE))
    recorder(_event("playbook_on_task_start", "u2", "02"))
    recorder(_event("runner_on_unreachable", "u2", "03", host="gone", res=UNREACHABLE))
    stats = {"ok": {"gone": 1}, "ignored": {"gone": 1}, "dark": {"gone": 1}}
    recorder({"event": "playbook_on_stats", "event_data": stats})
    recorder.stopped(datetime(2025, 1, 1, tzinfo=UTC))
    ignored, down = recorder.activities[1], recorder.activities[2]
    assert (ignored.status, ignored.hosts, ignored.outputs) == ("ok", {"gone"}, [])
    assert down.status == "unreachable"
    assert down.outputs == [{"host": "gone", "task": "task u2", "error": UNREACHABLE_CAUSE}]
    assert recorder.error() == f"gone unreachable: {UNREACHABLE_CAUSE}"  # u2's, not u1's


def test_an_unreachable_host_a_task_ignores_said_after_its_event_counts_as_ok(
    tmp_path: Path,
) -> None:
    """The callback's line may reach the runner after the event (another process writes
    each): the activity is unreachable until the line is read, at the next task's start
    or when the playbook stopped, then ok without the error; an execution that failed
    for another reason never names the ignored host."""
    tags_file = tmp_path / "t"
    tags = [{"uuid": "u1", "tags": ["persiapan"]}, {"uuid": "u2", "tags": ["backup"]}]
    tags_file.write_text("".join(json.dumps(t) + "\n" for t in tags))
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tags_file))
    recorder(_event("playbook_on_task_start", "u1", "00"))
    recorder(_event("runner_on_unreachable", "u1", "01", host="gone", res=UNREACHABLE))
    recorder(_event("runner_on_ok", "u1", "01", host="up", res={}))
    first = recorder.activities[1]
    assert first.status == "unreachable"  # its line not written yet
    assert first.outputs == [{"host": "gone", "task": "task u1", "error": UNREACHABLE_CAUSE}]
    with tags_file.open("a") as out:
        out.write(json.dumps({"uuid": "u1", "host": "gone", "ignore_unreachable": True}) + "\n")
    recorder(_event("playbook_on_task_start", "u2", "02"))
    assert (first.status, first.counts["ok"], first.outputs) == ("ok", 2, [])
    # The last task's, written only after the playbook's last event.
    recorder(_event("runner_on_unreachable", "u2", "03", host="gone", res=UNREACHABLE))
    recorder({"event": "playbook_on_stats", "event_data": {"ok": {"gone": 2, "up": 1}}})
    assert recorder.activities[2].status == "unreachable"
    with tags_file.open("a") as out:
        out.write(json.dumps({"uuid": "u2", "host": "gone", "ignore_unreachable": True}) + "\n")
    recorder.stopped(datetime(2025, 1, 1, tzinfo=UTC))
    assert (recorder.activities[2].status, recorder.activities[2].outputs) == ("ok", [])
    assert recorder.error() is None  # (the run failed otherwise: Ansible's own error line)


def test_a_no_log_result_that_changed_something_is_changed(tmp_path: Path) -> None:
    """ansible-runner's event keeps only `censored` of a no_log result, not the `changed`
    Ansible kept (the sync command of sipp-sync: host stats changed=1, activity ok). The
    callback's line says it changed, written after the event reached the runner or before:
    the activity is changed by the next task start, or when the playbook stopped."""
    tags_file = tmp_path / "t"
    tags = [{"uuid": "u1", "tags": ["persiapan"]}, {"uuid": "u2", "tags": ["backup"]}]
    tags_file.write_text("".join(json.dumps(t) + "\n" for t in tags))
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tags_file))
    hidden = {"censored": "the output has been hidden"}
    recorder(_event("playbook_on_task_start", "u1", "00"))
    recorder(_event("runner_on_ok", "u1", "01", host="h1", res=hidden))
    recorder(_event("runner_on_ok", "u1", "01", host="h2", res=hidden))
    assert recorder.activities[1].status == "ok"  # its line not written yet
    with tags_file.open("a") as out:
        out.write(json.dumps({"uuid": "u1", "host": "h1", "changed": True}) + "\n")
    recorder(_event("playbook_on_task_start", "u2", "02"))
    first = recorder.activities[1]
    assert first.status == "changed"
    assert (first.counts["ok"], first.counts["changed"]) == (1, 1)  # h2 changed nothing
    # The line already read when the event arrives: changed at once.
    with tags_file.open("a") as out:
        out.write(json.dumps({"uuid": "u2", "host": "h1", "changed": True}) + "\n")
    recorder(_event("runner_on_ok", "u2", "03", host="h1", res=hidden))
    assert recorder.activities[2].status == "changed"
    # An ignored failure's, written only after the playbook's last event.
    late_file = tmp_path / "late"
    late_file.write_text(json.dumps({"uuid": "u", "tags": ["backup"]}) + "\n")
    late = EventRecorder(sop, TagIndex(late_file))
    late(_event("runner_on_failed", "u", "00", host="h", ignore_errors=True, res=hidden))
    late({"event": "playbook_on_stats", "event_data": {"ok": {"h": 1}, "changed": {"h": 1}}})
    assert late.activities[2].status == "ok"
    with late_file.open("a") as out:
        out.write(json.dumps({"uuid": "u", "host": "h", "changed": True}) + "\n")
    late.stopped(datetime.now(UTC))
    assert late.activities[2].status == "changed"


def test_the_activity_of_the_task_started_last_is_unfinished(tmp_path: Path) -> None:
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    tags = [
        {"uuid": "u1", "tags": ["persiapan"]},
        {"uuid": "u2", "tags": ["persiapan"]},
        {"uuid": "u3", "tags": ["backup"]},
        {"uuid": "u4", "tags": []},
    ]
    (tmp_path / "t").write_text("".join(json.dumps(t) + "\n" for t in tags))
    recorder = EventRecorder(sop, TagIndex(tmp_path / "t"))
    assert recorder.unfinished() is None  # nothing started
    recorder(_event("playbook_on_task_start", "u1", "00"))
    recorder(_event("runner_on_ok", "u1", "01", host="h1", res={"changed": True}))
    recorder(_event("playbook_on_task_start", "u2", "02"))
    assert recorder.activities[1].status == "changed"  # what the results alone say
    assert recorder.unfinished() == 1  # u2 never answered
    recorder(_event("runner_on_ok", "u2", "03", host="h1", res={}))
    assert recorder.unfinished() == 1  # between tasks: the activity may have more
    recorder(_event("playbook_on_task_start", "u3", "04"))
    assert recorder.unfinished() == 2
    recorder(_event("runner_on_ok", "u3", "05", host="h1", res={}))
    recorder(_event("playbook_on_task_start", "u4", "06"))
    assert recorder.unfinished() is None  # an untagged task belongs to no activity
    recorder({"event": "playbook_on_stats", "event_data": {"ok": {"h1": 3}}})
    assert recorder.unfinished() is None  # the playbook reported its end


def test_output_convention() -> None:
    assert extract_outputs({"sop_output": {"count": 3}}) == [{"count": 3}]
    assert extract_outputs({"ansible_facts": {"sop_output": {"path": "/a"}}}) == [{"path": "/a"}]
    assert extract_outputs({"path": "/b", "size": 5, "sha256": "x", "other": 1}) == [
        {"path": "/b", "size": 5, "sha256": "x"}
    ]
    assert extract_outputs({"results": [{"sop_output": {"n": 1}}, {"sop_output": {"n": 2}}]}) == [
        {"n": 1},
        {"n": 2},
    ]
    assert extract_outputs({"censored": "x", "sop_output": {"n": 1}}) == []
    assert extract_outputs({"_ansible_no_log": True, "sha256": "x", "path": "/p"}) == []
    assert extract_outputs({"path": "/no-checksum"}) == []


def test_an_output_number_json_has_not_is_recorded_as_its_name() -> None:
    """A module's ratio of 0/0 (NaN, which Ansible's JSON passes on) or an infinity was
    recorded as is: PostgreSQL's json column refuses it mid-run, and SQLite kept a
    record that `sop execution --json` then could not print."""
    outputs = extract_outputs(
        {"sop_output": {"ratio": float("nan"), "rows": [float("inf"), -float("inf"), 1.5]}}
    )
    assert outputs == [{"ratio": "NaN", "rows": ["Infinity", "-Infinity", 1.5]}]
    assert json.loads(json.dumps(outputs, allow_nan=False)) == outputs


def test_failure_cause() -> None:
    command = {
        "msg": "non-zero return code",
        "stderr": "Warning: added key\nssh: Could not resolve hostname backup\n\n",
        "rc": 255,
    }
    assert failure_cause(command) == "ssh: Could not resolve hostname backup"
    assert failure_cause({"msg": "non-zero return code", "stderr": ""}) == "non-zero return code"
    assert failure_cause({"msg": "Task failed: Failed to connect to the host via ssh: x"}) == (
        "Failed to connect to the host via ssh: x"
    )
    module = {
        "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error",
        "module_stderr": "Traceback (most recent call last):\nValueError: bad dump",
    }
    assert failure_cause(module) == "ValueError: bad dump"
    loop = {
        "msg": "One or more items failed",
        "results": [{"failed": False}, {"failed": True, "msg": "item two failed"}],
    }
    assert failure_cause(loop) == "item two failed"
    # A module's own `results` that is no list (a count): its msg, not a TypeError that
    # stopped the playbook (the event handler's failure cancels the run).
    assert failure_cause({"msg": "non-zero return code", "results": 3}) == "non-zero return code"
    assert failure_cause({"censored": "x", "stderr": "secret"}) == HIDDEN
    findings = "; ".join(f"Kegiatan {n}: temuan nomor {n} di web" for n in range(25))
    assert failure_cause({"msg": findings}) == findings  # 903 characters: whole
    clipped = failure_cause({"msg": findings * 2})
    assert len(clipped) == 1000 and clipped.endswith("…") and findings.startswith(clipped[:899])


def test_a_message_ending_in_a_colon_keeps_what_it_introduces() -> None:
    """Ansible's argument validation (a role's meta/argument_specs.yml) says which
    variable and value are wrong only after its first line: the record said
    "Validation of arguments failed:" and nothing more (lab: server_incident_remediate
    given a service's name)."""
    refused = {
        "msg": "Validation of arguments failed:\nvalue of server_incident_remediate must be "
        "one or more of: restart_service, clean_package_cache. Got no match for: nginx\n"
        "server_incident_hours must be an int\n",
        "argument_errors": ["..."],
    }
    assert failure_cause(refused) == (
        "Validation of arguments failed: value of server_incident_remediate must be one or "
        "more of: restart_service, clean_package_cache. Got no match for: nginx; "
        "server_incident_hours must be an int"
    )
    # a first line that ends otherwise is the cause alone, as before
    assert failure_cause({"msg": "Backup gagal.\nrincian di log"}) == "Backup gagal."


def test_failure_cause_is_masked_before_it_is_cut() -> None:
    """The cause is recorded: a URL's password is masked before the line is cut, which
    would otherwise leave its start without the @ that marks it as one."""
    line = "x" * 960 + " https://sipp:Tr0ub4dor@backup.invalid/"
    assert failure_cause({"msg": line}) == "x" * 960 + " https://***@backup.invalid/"
    cut = failure_cause({"stderr": "y" * 980 + " https://sipp:Tr0ub4dor@backup.invalid/x"})
    assert len(cut) == 1000 and "Tr0" not in cut and cut.endswith("https://***@backup…")


def test_a_secret_setting_a_cause_quotes_is_masked_as_in_the_artifacts() -> None:
    """A failed task's stderr quoting a configuration's setting (``"dbPassword": "x"``,
    ``DB_Password: x``) was recorded as written, while the same event kept as an artifact
    was masked (mask_event): the record masks as the artifacts do."""
    stderr = 'json: cannot unmarshal {"dbPassword": "Hunter2x", "user": "sipp"}'
    assert failure_cause({"stderr": stderr}) == (
        'json: cannot unmarshal {"dbPassword": ***, "user": "sipp"}')
    assert failure_cause({"msg": "bad line: DB_Password: Hunter2x"}) == "bad line: DB_Password: ***"


def test_ansibles_own_error_line_is_masked_as_a_cause_is() -> None:
    """Ansible's one-line error, recorded when no task failed (a playbook, inventory or
    extra-vars problem), may quote a URL or command line: it is masked as a cause is."""
    from sop.runner import _error_line  # noqa: PLC0415 (the runner's private helper)

    output = (
        "PLAY [x]\n\x1b[0;31mERROR! could not fetch https://sipp:Tr0ub4dor@backup.invalid/"
        "?token=s3cr3t --password=Hunter2\x1b[0m\n"
    )
    assert _error_line(output) == (
        "ERROR! could not fetch https://***@backup.invalid/?token=*** --password=***"
    )


@pytest.mark.parametrize(("line", "shown"), [
    # ansible-core 2.19's own words for a list given as extra vars
    ("[ERROR]: Invalid extra vars data supplied. '[sipp_db_password: hunter2]' could not be"
     " made into a dictionary",
     "[ERROR]: Invalid extra vars data supplied. '[sipp_db_password: ***]' could not be"
     " made into a dictionary"),
    ("ERROR! bad vars line: password: correct horse", "ERROR! bad vars line: password: ***"),
    ("ERROR! sipp_sync_api_token: abc", "ERROR! sipp_sync_api_token: ***"),
    ('ERROR! ansible_become_password: "x y" is not valid',
     "ERROR! ansible_become_password: *** is not valid"),
    ("ERROR! expected a dict, got {'SIPP_TOKEN': 'a\\'b', 'user': 'sipp'}",
     "ERROR! expected a dict, got {'SIPP_TOKEN': ***, 'user': 'sipp'}"),
    ("ERROR! error: password file not found", "ERROR! error: password file not found"),
    ("ERROR! KeyError: 'sipp_db_password'", "ERROR! KeyError: 'sipp_db_password'"),
    ("ERROR! password: ", "ERROR! password:"),
    # mixed-case names, and INI's 'key = value'
    ("ERROR! bad line: DB_Password: hunter2", "ERROR! bad line: DB_Password: ***"),
    ('ERROR! expected a dict, got {"dbPassword": "hunter2", "user": "sipp"}',
     'ERROR! expected a dict, got {"dbPassword": ***, "user": "sipp"}'),
    ("ERROR! [ApiKey: hunter2, user: sipp]", "ERROR! [ApiKey: ***, user: sipp]"),
    ('ERROR! got {"Password": "hunter2"}', 'ERROR! got {"Password": ***}'),
    ("ERROR! bad ini line: Password = hunter2", "ERROR! bad ini line: Password = ***"),
    ("ERROR! ini line: sipp_db_password = hunter2", "ERROR! ini line: sipp_db_password = ***"),
    ("ERROR! SessionTimeout: 5 and Token: expired", "ERROR! SessionTimeout: 5 and Token: expired"),
    ("ERROR! 'x == y' token == 3", "ERROR! 'x == y' token == 3"),
])
def test_a_secret_setting_ansibles_error_line_quotes_is_masked(line: str, shown: str) -> None:
    """Ansible's error line may quote an inventory's, a vars file's or extra vars' YAML:
    only NAME=value was masked, so ``sipp_db_password: hunter2`` was recorded as written,
    and a mixed-case name (``DB_Password: x``, ``"dbPassword": "x"``) or INI's ``key = x``
    still was. A secret-looking variable's value is masked; prose naming a password is kept."""
    from sop.runner import _error_line  # noqa: PLC0415 (the runner's private helper)

    assert _error_line(f"PLAY [x]\n{line}\n") == shown


def test_ansibles_own_lines_in_the_stdout_artifact_are_masked(tmp_path: Path) -> None:
    """ansible-runner writes the lines the playbook printed outside a task (Ansible's error
    and warning lines) to the stdout artifact as read: the runner rewrites it masked (the
    tasks' text was masked in their events) before reading it."""
    from sop.runner import _read_stdout  # noqa: PLC0415 (the runner's private helper)

    stdout = tmp_path / "stdout"
    stdout.write_text(
        "\x1b[0;31m[ERROR]: Invalid extra vars data supplied. '[sipp_db_password: hunter2]'"
        " could not be made into a dictionary\x1b[0m\nPLAY RECAP\n",
        encoding="utf-8",
    )
    shown = (
        "\x1b[0;31m[ERROR]: Invalid extra vars data supplied. '[sipp_db_password: ***]'"
        " could not be made into a dictionary\x1b[0m\nPLAY RECAP\n"
    )
    assert _read_stdout(tmp_path) == shown
    assert stdout.read_text(encoding="utf-8") == shown
    assert [file.name for file in tmp_path.iterdir()] == ["stdout"]


def test_the_stdout_artifact_rewritten_masked_keeps_its_line_endings(tmp_path: Path) -> None:
    """ansible-runner's stdout artifact from a pty ends its lines in \\r\\n: read with
    universal newlines, a masked artifact was rewritten with \\n alone."""
    from sop.runner import _read_stdout  # noqa: PLC0415 (the runner's private helper)

    stdout = tmp_path / "stdout"
    stdout.write_bytes(
        b"PLAY [web] ***\r\n"
        b"[ERROR]: Invalid extra vars data supplied. '[sipp_db_password: hunter2]'\r\n"
        b"progress\rdone\n")
    shown = (
        "PLAY [web] ***\r\n"
        "[ERROR]: Invalid extra vars data supplied. '[sipp_db_password: ***]'\r\n"
        "progress\rdone\n")
    assert _read_stdout(tmp_path) == shown
    assert stdout.read_bytes() == shown.encode()


def test_the_stdout_artifact_rewritten_masked_keeps_bytes_that_are_not_utf8(
        tmp_path: Path) -> None:
    """A command's output in another encoding (Latin-1's caf\\xe9, a cut multi-byte
    character) was read with each byte that is not UTF-8 replaced by U+FFFD, and the
    masked artifact rewritten so: the evidence lost its bytes. They are kept as written;
    the text returned shows them as U+FFFD."""
    from sop.runner import _read_stdout  # noqa: PLC0415 (the runner's private helper)

    stdout = tmp_path / "stdout"
    stdout.write_bytes(
        b"ok: [web] => caf\xe9 \xe2\x82\r\n"
        b"[ERROR]: Invalid extra vars data supplied. '[sipp_db_password: hunter2\xff]'\r\n"
        b"done \xc3\xa9\n")
    assert _read_stdout(tmp_path) == (
        "ok: [web] => caf\ufffd \ufffd\r\n"
        "[ERROR]: Invalid extra vars data supplied. '[sipp_db_password: ***]'\r\n"
        "done \u00e9\n")
    assert stdout.read_bytes() == (
        b"ok: [web] => caf\xe9 \xe2\x82\r\n"
        b"[ERROR]: Invalid extra vars data supplied. '[sipp_db_password: ***]'\r\n"
        b"done \xc3\xa9\n")


# ansible-vault's payload: lines of 80 hex digits, the last one shorter
_PAYLOAD = ("36356137336233623137356566636234336630633238623263303961306462303862383966376537",
            "62383464313965396337336532663365326633653266336532663365326633653266")


@pytest.mark.parametrize(("raw", "shown"), [
    # callback_result_format = yaml: a vaulted file's text as a block scalar, each line
    # in the task's colour
    ("".join(f"\x1b[0;32m{line}\x1b[0m\n" for line in (
        "ok: [web] => ", "    msg: |-", "        $ANSIBLE_VAULT;1.1;AES256",
        "        " + _PAYLOAD[0], "        " + _PAYLOAD[1], "    changed: false")),
     "".join(f"\x1b[0;32m{line}\x1b[0m\n" for line in (
        "ok: [web] => ", "    msg: |-", "        $ANSIBLE_VAULT;1.1;AES256",
        "        ***", "        ***", "    changed: false"))),
    # stdout_lines as JSON shows them, a vault id in the header
    ('    "stdout_lines": [\n        "$ANSIBLE_VAULT;1.2;AES256;prod",\n'
     f'        "{_PAYLOAD[0]}",\n        "{_PAYLOAD[1]}"\n    ]\n',
     '    "stdout_lines": [\n        "$ANSIBLE_VAULT;1.2;AES256;prod",\n'
     '        "***",\n        "***"\n    ]\n'),
    # runs of hex joined by a JSON string's \n
    (f'$ANSIBLE_VAULT;1.1;AES256\n  "{_PAYLOAD[0]}\\n{_PAYLOAD[1]}\\n"\n',
     '$ANSIBLE_VAULT;1.1;AES256\n  "***\\n"\n'),
    # the block ends at its first line that is not hex alone: a digest after it is kept
    (f"$ANSIBLE_VAULT;1.1;AES256\n{_PAYLOAD[1]}\nchecksum:\n{_PAYLOAD[1][:64]}\n",
     f"$ANSIBLE_VAULT;1.1;AES256\n***\nchecksum:\n{_PAYLOAD[1][:64]}\n"),
    (f"$ANSIBLE_VAULT;1.1;AES256\n\n{_PAYLOAD[1]}", f"$ANSIBLE_VAULT;1.1;AES256\n\n{_PAYLOAD[1]}"),
    (f"{_PAYLOAD[1]}\n", f"{_PAYLOAD[1]}\n"),
    # a pty's \r\n
    (f"$ANSIBLE_VAULT;1.1;AES256\r\n{_PAYLOAD[0]}\r\n{_PAYLOAD[1]}\r\nok\r\n",
     "$ANSIBLE_VAULT;1.1;AES256\r\n***\r\n***\r\nok\r\n"),
    # --diff: each line after its + or - in the diff's colour, a context line's space
    ("".join(f"\x1b[0;{colour}m{line}\x1b[0m\n" for colour, line in (
        ("36", "@@ -1,3 +1,3 @@"), ("0", " $ANSIBLE_VAULT;1.1;AES256"),
        ("31", "-" + _PAYLOAD[0]), ("31", "-" + _PAYLOAD[1]),
        ("32", "+" + _PAYLOAD[0]), ("32", "+" + _PAYLOAD[1]))),
     "".join(f"\x1b[0;{colour}m{line}\x1b[0m\n" for colour, line in (
        ("36", "@@ -1,3 +1,3 @@"), ("0", " $ANSIBLE_VAULT;1.1;AES256"),
        ("31", "-***"), ("31", "-***"), ("32", "+***"), ("32", "+***")))),
    (f"+$ANSIBLE_VAULT;1.1;AES256\n+{_PAYLOAD[1]}\n+  $ANSIBLE_VAULT;1.1;AES256\n"
     f"+  {_PAYLOAD[1]}\n+user: sipp\n+{_PAYLOAD[1][:64]}\n",
     "+$ANSIBLE_VAULT;1.1;AES256\n+***\n+  $ANSIBLE_VAULT;1.1;AES256\n+  ***\n+user: sipp\n"
     f"+{_PAYLOAD[1][:64]}\n"),
    # a task's text as its event's masking left it when it did not see the block whole:
    # its lines of 80 hex digits as ***, in their colour, its last, shorter line not
    ("".join(f"\x1b[0;32m{line}\x1b[0m\n" for line in (
        "        $ANSIBLE_VAULT;1.1;AES256", "        ***", "        ***",
        "        " + _PAYLOAD[1], "    changed: false")),
     "".join(f"\x1b[0;32m{line}\x1b[0m\n" for line in (
        "        $ANSIBLE_VAULT;1.1;AES256", "        ***", "        ***", "        ***",
        "    changed: false"))),
    (f'        "$ANSIBLE_VAULT;1.1;AES256",\n        "***",\n        "{_PAYLOAD[1]}"\n',
     '        "$ANSIBLE_VAULT;1.1;AES256",\n        "***",\n        "***"\n'),
])
def test_a_vault_blocks_payload_in_the_stdout_artifact_is_masked(
        tmp_path: Path, raw: str, shown: str) -> None:
    """The stdout artifact is masked one line at a time: a vault block's lines of 80 hex
    digits were masked alone, its last, shorter line, without its header on the same
    line, was kept. Every line of hex alone after a line holding the header is masked."""
    from sop.runner import _read_stdout  # noqa: PLC0415 (the runner's private helper)

    (tmp_path / "stdout").write_bytes(raw.encode())
    assert _read_stdout(tmp_path) == shown
    assert (tmp_path / "stdout").read_bytes() == shown.encode()


def _coloured(*lines: str, colour: str = "0;32") -> str:
    """``lines`` as Ansible's coloured output prints a text: each line in the colour, the
    colour ended before each newline (ansible.utils.color.stringc)."""
    return "\n".join(f"\x1b[{colour}m{line}\x1b[0m" for line in lines)


@pytest.mark.parametrize(("text", "shown"), [
    # callback_result_format = yaml: a vaulted file's text as a block scalar
    (_coloured("ok: [web] => ", "    msg: |-", "        $ANSIBLE_VAULT;1.1;AES256",
               "        " + _PAYLOAD[0], "        " + _PAYLOAD[0], "        " + _PAYLOAD[1],
               "    changed: false"),
     _coloured("ok: [web] => ", "    msg: |-", "        $ANSIBLE_VAULT;1.1;AES256",
               "        ***", "    changed: false")),
    # --diff: the changed lines in red and green
    (_coloured("@@ -1,2 +1,2 @@", colour="0;36") + "\n"
     + _coloured(" $ANSIBLE_VAULT;1.1;AES256", colour="0") + "\n"
     + _coloured("-" + _PAYLOAD[0], "-" + _PAYLOAD[1], colour="0;31") + "\n"
     + _coloured("+" + _PAYLOAD[0], "+" + _PAYLOAD[1], colour="0;32") + "\n",
     _coloured("@@ -1,2 +1,2 @@", colour="0;36") + "\n"
     + _coloured(" $ANSIBLE_VAULT;1.1;AES256", colour="0") + "\n"
     + _coloured("-***", colour="0;31") + "\n"),
])
def test_a_coloured_vault_block_in_a_tasks_text_is_masked_whole(
        tmp_path: Path, text: str, shown: str) -> None:
    """Ansible's coloured output ends each line's colour before its newline: a vault
    block in a task's text was not seen whole, only its lines of 80 hex digits were
    masked, its last, shorter line was kept in the event (job_events/) and in the stdout
    artifact ansible-runner writes from it."""
    from sop.masking import mask_event  # noqa: PLC0415 (the runner's, not the recorder's)
    from sop.runner import _read_stdout  # noqa: PLC0415 (the runner's private helper)

    event = {"event": "runner_on_ok", "stdout": text}
    mask_event(event)
    assert event["stdout"] == shown
    (tmp_path / "stdout").write_text(f"{event['stdout']}\n", encoding="utf-8")
    assert _PAYLOAD[1] not in _read_stdout(tmp_path)


def test_execution_error_is_the_failed_hosts_cause(tmp_path: Path) -> None:
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tmp_path / "none"))
    rescued = {"stderr": "rescued later"}
    recorder(_event("runner_on_failed", "a", "00", host="web", res=rescued))
    recorder(_event("runner_on_failed", "b", "01", host="db", ignore_errors=True, res={}))
    recorder(_event("runner_on_unreachable", "c", "02", host="sipp", res={"msg": "ssh: no"}))
    stats = {"dark": {"sipp": 1}, "rescued": {"web": 1}}
    recorder({"event": "playbook_on_stats", "event_data": stats})
    assert recorder.error() == "sipp unreachable: ssh: no"
    assert recorder.hosts() == ["db", "sipp", "web"]


def test_execution_error_is_the_failure_that_ended_the_host(tmp_path: Path) -> None:
    """A rescued no_log check, then the rescue's fail with the real message: the cause is
    the last failure of the host (the first one is hidden and was rescued)."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tmp_path / "none"))
    recorder(_event("runner_on_failed", "a", "00", host="sipp", res={"censored": "hidden"}))
    recorder(_event("runner_on_unreachable", "b", "01", host="sipp", res={"msg": "timeout"}))
    stopped = {"msg": "Persiapan gagal: database sipp not reachable: ERROR 2002"}
    recorder(_event("runner_on_failed", "c", "02", host="sipp", task="Stop", res=stopped))
    recorder({"event": "playbook_on_stats", "event_data": {"failures": {"sipp": 1}}})
    expected = "sipp: Stop: Persiapan gagal: database sipp not reachable: ERROR 2002"
    assert recorder.error() == expected


def test_execution_error_names_the_host_a_delegated_task_ran_on(tmp_path: Path) -> None:
    """The backup computer hung during a task the SIPP server delegated to it: the error
    read "sipp unreachable" (the event's host); the callback's line, written after the
    event, makes it "sipp -> backup", as Ansible's output labels it."""
    tags_file = tmp_path / "tags.jsonl"
    tags_file.write_text("", encoding="utf-8")
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tags_file))
    recorder(_event("runner_on_unreachable", "a", "00", host="sipp", res={"msg": "ssh: hung"}))
    recorder(_event("runner_on_failed", "b", "01", host="web", res={"msg": "refused"}))
    with tags_file.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"uuid": "a", "host": "sipp", "delegated_to": "backup"}) + "\n")
    recorder({"event": "playbook_on_stats", "event_data": {"dark": {"sipp": 1}}})
    recorder.stopped(datetime(2025, 1, 1, tzinfo=UTC))
    assert recorder.error() == "sipp -> backup unreachable: ssh: hung"
    recorder.stats = {"web": {"failures": 1}}  # not delegated: its own name
    assert recorder.error() == "web: task b: refused"


@pytest.mark.parametrize(
    ("msg", "recorded"),
    [
        ("Timeout (32s) waiting for privilege escalation prompt: ",
         "gw unreachable: Timeout (32s) waiting for privilege escalation prompt: the host "
         "took the connection but did not answer in time (hung or overloaded, or sudo "
         "asked for a password)"),
        ('Data could not be sent to remote host "10.0.0.5". Make sure this host can be '
         "reached over ssh: ",
         'gw unreachable: Data could not be sent to remote host "10.0.0.5". Make sure this '
         "host can be reached over ssh: ssh gave no reason (the host stopped answering or "
         "the connection dropped)"),
        ('Data could not be sent to remote host "10.0.0.5". Make sure this host can be '
         "reached over ssh: ssh: connect to host 10.0.0.5 port 22: No route to host",
         'gw unreachable: Data could not be sent to remote host "10.0.0.5". Make sure this '
         "host can be reached over ssh: ssh: connect to host 10.0.0.5 port 22: No route "
         "to host"),
    ],
)
def test_an_unreachable_host_that_stopped_answering_is_said_so(
    tmp_path: Path, msg: str, recorded: str
) -> None:
    """A paused or hung host: Ansible's message ends with the ssh output it quotes, empty,
    and the record read "... waiting for privilege escalation prompt:" and nothing more."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tmp_path / "none"))
    recorder(_event("runner_on_unreachable", "a", "00", host="gw", res={"msg": msg}))
    recorder({"event": "playbook_on_stats", "event_data": {"dark": {"gw": 1}}})
    assert recorder.error() == recorded


# ssh's own words (OpenSSH 9.2, Debian 12), as Ansible quoted them under a lab run whose
# known_hosts held another key for the SIPP server.
_KEY_CHANGED_MSG = (
    'Task failed: Data could not be sent to remote host "127.0.0.1". Make sure this host can '
    "be reached over ssh: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n"
    "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n"
    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n"
    "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\r\n"
    "Someone could be eavesdropping on you right now (man-in-the-middle attack)!\r\n"
    "It is also possible that a host key has just been changed.\r\n"
    "The fingerprint for the ED25519 key sent by the remote host is\n"
    "SHA256:Lbtfft7IlSdjlMJ7JE1OI08I5HoqMXHBnuqcRIoowjo.\r\n"
    "Please contact your system administrator.\r\n"
    "Add correct host key in /srv/court/inventory/pn/../../known_hosts to get rid of this "
    "message.\r\nOffending RSA key in /srv/court/inventory/pn/../../known_hosts:3\r\n"
    '  remove with:\r\n  ssh-keygen -f "/srv/court/known_hosts" -R "[127.0.0.1]:2221"\r\n'
    "Host key for [127.0.0.1]:2221 has changed and you have requested strict checking.\r\n"
    "Host key verification failed."
)


@pytest.mark.parametrize(
    ("msg", "recorded"),
    [
        (_KEY_CHANGED_MSG,
         "sipp unreachable: the host answered with another SSH host key (ED25519 "
         "SHA256:Lbtfft7IlSdjlMJ7JE1OI08I5HoqMXHBnuqcRIoowjo) than /srv/court/known_hosts holds "
         "for it: a reinstalled server, or another machine in its place; check the key on "
         "the server's console, then replace it (ssh-keygen -R)"),
        ('Task failed: Data could not be sent to remote host "10.0.0.5". Make sure this host '
         "can be reached over ssh: No ED25519 host key is known for 10.0.0.5 and you have "
         "requested strict checking.\r\nHost key verification failed.",
         "sipp unreachable: no SSH host key of 10.0.0.5 is in known_hosts (the file the "
         "inventory's UserKnownHostsFile names, else ~/.ssh/known_hosts): add it, checked "
         "against the server's console (ssh-keyscan, ssh-keygen -lf)"),
    ],
)
def test_a_host_key_refusal_is_named_not_quoted(tmp_path: Path, msg: str, recorded: str) -> None:
    """ssh refused the host's key: the record's cause was Ansible's first line, ending in
    the banner's row of @ signs; now what the refusal means and what to do."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tmp_path / "none"))
    recorder(_event("runner_on_unreachable", "a", "00", host="sipp", res={"msg": msg}))
    recorder({"event": "playbook_on_stats", "event_data": {"dark": {"sipp": 1}}})
    assert recorder.error() == recorded


def test_execution_error_names_the_other_hosts_that_failed(tmp_path: Path) -> None:
    """Three hosts failed the same activity: the error was the first host's cause alone
    and read as if only that host failed (Pengamanan TI's update check on sipp, web,
    backup); the others are named after it, a host whose failure was rescued is not."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tmp_path / "none"))
    for uuid, host in (("a", "sipp"), ("b", "web"), ("c", "gw"), ("d", "backup")):
        recorder(_event("runner_on_failed", uuid, "00", host=host, res={"msg": f"{host} x"}))
    stats = {"failures": {"sipp": 1, "web": 1}, "dark": {"backup": 1}, "rescued": {"gw": 1}}
    recorder({"event": "playbook_on_stats", "event_data": stats})
    assert recorder.error() == "sipp: task a: sipp x (also failed: web, backup)"


def test_a_start_resolved_between_events_is_the_activitys_start(tmp_path: Path) -> None:
    """The task start arrives before its tags; the tags are written before the runner asks
    which activity is current: that activity is recorded as started at the task's start
    (a live record read then showed `running` without a start time)."""
    tags_file = tmp_path / "t"
    tags_file.write_text("")
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tags_file))
    send = _Arrivals().recorder(recorder)
    send(_event("playbook_on_task_start", "u1", "05"))
    tags_file.write_text(json.dumps({"uuid": "u1", "tags": ["backup"]}) + "\n")
    assert recorder.current() == 2
    assert recorder.activities[2].started is not None
    assert recorder.activities[2].started.second == 5
    send(_event("runner_on_ok", "u1", "09", host="h1", res={}))
    assert recorder.activities[2].duration == 4.0


def test_a_duration_is_measured_on_the_runners_monotonic_clock(tmp_path: Path) -> None:
    """The wall clock set back a minute (NTP stepping it, an operator) while the backup
    ran 30 s: its last event's `created` was before its first. The earliest `created` was
    taken as its start, so its duration was the time after the step (0 s here) and it was
    judged within its 1 s Mutu Baku. It is measured as the events arrived, on the
    monotonic clock; the record's times stay as the wall clock read them."""
    (tmp_path / "t").write_text(json.dumps({"uuid": "u1", "tags": ["backup"]}) + "\n")
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tmp_path / "t"))
    recorder.clock = arrival = _Arrivals()
    arrival.at = 1000.0
    recorder(_event("playbook_on_task_start", "u1", "40"))
    arrival.at = 1030.0
    recorder(_event("runner_on_ok", "u1", "10", host="h1", res={}))
    backup = recorder.activities[2]
    assert (backup.duration, backup.over_time) == (30.0, True)
    assert backup.started and backup.ended
    assert (backup.started.second, backup.ended.second) == (40, 10)
    arrival.at = 1095.5  # a cancel stopped it later: it ran until then
    recorder.stopped(datetime.now(UTC))
    assert backup.duration == 95.5


def test_a_secret_settings_value_in_an_event_is_masked_at_any_depth() -> None:
    """A result's structured values were kept in job_events/ as written when a string
    held no secret pattern: a set_fact's or include_vars' ``sipp_db_password`` (no no_log),
    a module's undeclared ``password`` in invocation.module_args. A value under a key named
    as a secret setting is masked, as mask_ansible_error masks ``"key": value`` in text;
    other keys (``no_log``, ``changed``, ``KeyError``) and booleans and nulls are kept; what
    read the event before (the recorder) keeps the values it read."""
    from sop.masking import mask_event  # noqa: PLC0415 (the runner's, not the recorder's)

    facts = {"sipp_db_password": "Hunter2x", "sipp_db_port": 3306, "DB_Password": 1234,
             "court": {"dbPassword": "Hunter3x", "name": "PN Contoh"}}
    args = {"password": "Hunter4x", "password_file": "/etc/x", "api_tokens": ["a1", "b2"],
            "no_log": False, "token": None, "authorized": True, "KeyError": "kept"}
    event = {"event": "runner_on_ok", "event_data": {"res": {
        "ansible_facts": facts, "invocation": {"module_args": args}, "changed": False,
        "msg": "mysql -pHunter5x"}}}
    mask_event(event)
    res = event["event_data"]["res"]  # type: ignore[index]
    assert res["ansible_facts"] == {
        "sipp_db_password": "***", "sipp_db_port": 3306, "DB_Password": "***",
        "court": {"dbPassword": "***", "name": "PN Contoh"}}
    assert res["invocation"]["module_args"] == {
        "password": "***", "password_file": "***", "api_tokens": ["***", "***"],
        "no_log": False, "token": None, "authorized": True, "KeyError": "kept"}
    assert (res["changed"], res["msg"]) == (False, "mysql -p***")
    assert "Hunter" not in json.dumps(event)
    assert facts["sipp_db_password"] == "Hunter2x" and args["password"] == "Hunter4x"


def test_a_kept_settings_value_in_an_event_is_kept() -> None:
    """A key named as a kept setting (sop_secrets' _KEPT_SETTING: the project's own
    settings named with a secret-looking word, OpenSSH's) was masked as a secret's: a
    role's ``website_integrity_spam_keywords``, security_hardening's ``sshd`` settings
    (``passwordauthentication: no``). Kept, as mask_ansible_error keeps them in text."""
    from sop.masking import mask_event  # noqa: PLC0415 (the runner's, not the recorder's)

    facts = {"website_integrity_spam_keywords": ["judi", "slot"],
             "it_security_outside_group": "sftp-only", "website_db_password": "Hunter9x",
             "sshd": {"passwordauthentication": "no", "permitemptypasswords": "no"}}
    event = {"event": "runner_on_ok", "event_data": {"res": {"ansible_facts": facts}}}
    mask_event(event)
    assert event["event_data"]["res"]["ansible_facts"] == {  # type: ignore[index]
        **facts, "website_db_password": "***"}


def test_a_commands_words_are_masked_as_one_command_line() -> None:
    """A command module's ``cmd`` (its argv, as job_events keep it) was masked word by
    word: a word holding a quoted value's spaces (``--password=a b``, from
    ``argv: [..., "--password=a b"]``) showed its tail, and the word after a bare ``-p``
    (read on the safe side as its password, as mask_argv reads it) was kept."""
    from sop.masking import mask_event  # noqa: PLC0415 (the runner's, not the recorder's)

    event = {"event": "runner_on_failed", "event_data": {"res": {
        "cmd": ["mariadb-dump", "--password=Hun ter6x", "-p", "Hunter7x", "sipp"],
        "stdout_lines": ["plain", "lines"]}}}
    mask_event(event)
    res = event["event_data"]["res"]  # type: ignore[index]
    assert res["cmd"] == ["mariadb-dump", "--password=***", "-p", "***", "sipp"]
    assert res["stdout_lines"] == ["plain", "lines"]
    assert "ter6x" not in json.dumps(event)


@pytest.mark.parametrize(("text", "shown"), [
    ("mysqldump -uroot -pHunter8x sipp failed", "mysqldump -uroot -p*** sipp failed"),
    ("sync failed: sipp-sync --password=Hunter8x --court pn",
     "sync failed: sipp-sync --password=*** --court pn"),
    ("SYNC_TOKEN=Hunter8x /usr/local/sbin/sipp-sync", "SYNC_TOKEN=*** /usr/local/sbin/sipp-sync"),
    ("CMD (curl -u sipp:Hunter8x https://pn.example/api)",
     "CMD (curl -u sipp:*** https://pn.example/api)"),
    # prose and other tools' -p are kept
    ("The password is wrong; the token expired - try again",
     "The password is wrong; the token expired - try again"),
    ("ssh -p 22 sipp; mkdir -p /srv/backup; find -perm 600",
     "ssh -p 22 sipp; mkdir -p /srv/backup; find -perm 600"),
])
def test_mask_text_masks_a_command_lines_password_options(text: str, shown: str) -> None:
    """sop_secrets' mask_text (the modules' errors and messages, the filter sop_mask_text)
    masked URLs and the secrets given to it only: a command line it quoted kept its
    password options (``mysqldump -pX``, ``--password=X``), which mask_command masks.
    Its rules for them are mask_command's; prose is kept."""
    from sop.masking import _SECRETS  # noqa: PLC0415 (module_utils/sop_secrets.py, by path)

    assert _SECRETS.mask_text(text) == shown
    assert _SECRETS.mask_text(text, ["Hunter8x"]) == shown



_VAULT_PAYLOAD = "6238" * 20  # a line of ansible-vault's payload: 80 hex digits


@pytest.mark.parametrize(("text", "shown"), [
    ("curl: (22) -H 'Authorization: Bearer Hunter9x' returned 401",
     "curl: (22) -H 'Authorization: Bearer ***' returned 401"),
    ('{"X-Api-Key": "Hunter9x", "status": 500}', '{"X-Api-Key": "***", "status": 500}'),
    ('203.0.113.9 - - "GET /api/sync?court=pn&api_key=Hunter9x HTTP/1.1" 500',
     '203.0.113.9 - - "GET /api/sync?court=pn&api_key=*** HTTP/1.1" 500'),
    ("ERROR 1396: Operation CREATE USER failed: IDENTIFIED BY 'Hunter9x'",
     "ERROR 1396: Operation CREATE USER failed: IDENTIFIED BY ***"),
    ("mariadb-admin: unknown variable 'pasword=Hunter9x'",
     "mariadb-admin: unknown variable 'pasword=***'"),
    (f"$ANSIBLE_VAULT;1.1;AES256\n{_VAULT_PAYLOAD}\n6238e0a1", "$ANSIBLE_VAULT;1.1;AES256\n***"),
    (f"  {_VAULT_PAYLOAD}", "  ***"),
    # a page's text (website_integrity's findings) and a log's line (sop_weblog's
    # samples) as they are: prose, paths and digests are kept
    ("Authorization failed: silakan masuk kembali", "Authorization failed: silakan masuk kembali"),
    ('"GET /berita?page=2&id=15 HTTP/1.1" 200 "Mozilla/5.0 (X11; rv:128.0)"',
     '"GET /berita?page=2&id=15 HTTP/1.1" 200 "Mozilla/5.0 (X11; rv:128.0)"'),
    ("akun identified by its name; sha256 " + "ab" * 32,
     "akun identified by its name; sha256 " + "ab" * 32),
])
def test_mask_text_applies_every_rule_of_mask_command(text: str, shown: str) -> None:
    """mask_text (the modules' errors, SIPP MA's answers, website_integrity's findings,
    sop_weblog's samples, the filter sop_mask_text) had mask_command's command-line rules
    only: an Authorization or API-key header, a path's token, an SQL statement's
    password, a MariaDB client's refused option and a vault payload reached the record.
    Ordinary text is kept as mask_command keeps it."""
    from sop.masking import _SECRETS  # noqa: PLC0415 (module_utils/sop_secrets.py, by path)

    assert _SECRETS.mask_text(text) == shown == _SECRETS.mask_command(text)
    assert _SECRETS.mask_text(text, ["Hunter9x"]) == shown


def test_mask_text_replaces_the_given_secrets_before_its_rules() -> None:
    """A known secret holding a space, quoted after a secret-looking option: the option's
    rule masked its first word (``--password=*** ter9x``) and the secret, no longer found
    whole, left its tail in the text."""
    from sop.masking import _SECRETS  # noqa: PLC0415 (module_utils/sop_secrets.py, by path)

    shown = _SECRETS.mask_text("sync failed: sipp-sync --password=Hun ter9x --court pn",
                               ["Hun ter9x"])
    assert shown == "sync failed: sipp-sync --password=*** --court pn"


def _backup_recorder(tmp_path: Path) -> EventRecorder:
    """A recorder whose tasks u1..u9 belong to local-demo's activity 2 (tag backup)."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    tags = tmp_path / "tags.jsonl"
    tags.write_text("".join(json.dumps({"uuid": f"u{n}", "tags": ["backup"]}) + "\n"
                            for n in range(1, 10)))
    return EventRecorder(sop, TagIndex(tags))


def test_the_warnings_a_module_returned_are_recorded_per_host(tmp_path: Path) -> None:
    """`module.warn` (mariadb_backup's fallback to mariadb-dump) is recorded with the host,
    once per host however many tasks repeat it; a loop's items' too; a failed task's as
    well as its cause; deprecations are Ansible's notes, not the run's."""
    recorder = _backup_recorder(tmp_path)
    fallback = "mydumper failed (exit 1): x; dumped again with mariadb-dump"
    recorder(_event("runner_on_ok", "u1", "00", host="sipp", res={
        "changed": True, "warnings": [fallback],
        "deprecations": [{"msg": "x is deprecated", "version": "2.23"}]}))
    recorder(_event("runner_on_ok", "u2", "01", host="sipp", res={"warnings": [fallback]}))
    recorder(_event("runner_on_ok", "u2", "01", host="web", res={"warnings": [fallback]}))
    recorder(_event("runner_on_ok", "u3", "02", host="sipp", res={
        "warnings": ["item a"], "results": [{"item": "a"}, {"item": "b", "warnings": ["item b"]}]}))
    recorder(_event("runner_on_failed", "u4", "03", host="web", res={
        "msg": "disk full", "warnings": ["retried once"]}))
    assert recorder.activities[2].recorded_warnings == [
        {"host": "sipp", "warning": fallback},
        {"host": "web", "warning": fallback},
        {"host": "sipp", "warning": "item a"},
        {"host": "sipp", "warning": "item b"},
        {"host": "web", "warning": "retried once"},
    ]
    assert recorder.activities[1].recorded_warnings == []


def test_the_warnings_of_sop_warning_are_recorded(tmp_path: Path) -> None:
    """A role's own warning (plugins/action/sop_warning.py) is recorded as a module's is:
    results shaped as ansible-playbook returns the action's (a loop's warnings gathered
    into the task's by Ansible, its items keeping only their `msg`)."""
    one = {"action": "sop_warning", "changed": False, "msg": "Sertifikat habis dalam 7 hari",
           "warnings": ["Sertifikat habis dalam 7 hari"]}
    looped = {"action": "sop_warning", "changed": False, "msg": "All items completed",
              "warnings": ["domain perlu diperpanjang", "hosting perlu diperpanjang"],
              "results": [{"item": "domain", "changed": False, "failed": False,
                           "msg": "domain perlu diperpanjang"},
                          {"item": "hosting", "changed": False, "failed": False,
                           "msg": "hosting perlu diperpanjang"}]}
    listed = {"action": "sop_warning", "changed": False,
              "msg": ["DB_HOST tidak dipakai", " "], "warnings": ["DB_HOST tidak dipakai"]}
    assert extract_warnings(one) == ["Sertifikat habis dalam 7 hari"]
    assert extract_warnings(looped) == ["domain perlu diperpanjang", "hosting perlu diperpanjang"]
    recorder = _backup_recorder(tmp_path)
    for uuid, res in (("u1", one), ("u2", looped), ("u3", listed)):
        recorder(_event("runner_on_ok", uuid, "00", host="web", res=res))
    assert recorder.activities[2].recorded_warnings == [
        {"host": "web", "warning": warning} for warning in (
            "Sertifikat habis dalam 7 hari", "domain perlu diperpanjang",
            "hosting perlu diperpanjang", "DB_HOST tidak dipakai")]

def test_a_no_log_result_records_no_warning_and_a_secret_is_masked() -> None:
    assert extract_warnings({"censored": "hidden", "warnings": ["pw Hunter2x"]}) == []
    assert extract_warnings({"_ansible_no_log": True, "warnings": ["pw Hunter2x"]}) == []
    assert extract_warnings({"results": [{"_ansible_no_log": True, "warnings": ["x"]}]}) == []
    assert extract_warnings({"warnings": "not a list"}) == []
    assert extract_warnings({"warnings": [
        "rsync to https://sipp:Tr0ub4dor@backup.invalid/ slow",
        "mysqldump --password=Hunter2x -u sipp failed",
    ]}) == [
        "rsync to https://***@backup.invalid/ slow",
        "mysqldump --password=*** -u sipp failed",
    ]


def test_warnings_are_bounded_in_length_and_count(tmp_path: Path) -> None:
    """Each warning is cut as a cause is (after masking); past the count they are counted,
    not kept, and the record says how many were left out (each distinct one once)."""
    [long] = extract_warnings({"warnings": ["y" * 980 + " https://u:Tr0ub4dor@h.invalid/x"]})
    assert len(long) == 1000 and long.endswith("…") and "Tr0" not in long
    recorder = _backup_recorder(tmp_path)
    many = [f"file {n} not asked for" for n in range(MAX_WARNINGS_PER_ACTIVITY + 3)]
    recorder(_event("runner_on_ok", "u1", "00", host="bk", res={"warnings": many}))
    recorder(_event("runner_on_ok", "u2", "01", host="bk", res={"warnings": many}))
    recorded = recorder.activities[2].recorded_warnings
    assert len(recorded) == MAX_WARNINGS_PER_ACTIVITY + 1
    assert recorded[0] == {"host": "bk", "warning": "file 0 not asked for"}
    assert recorded[-1] == {"host": "", "warning": "(3 peringatan lain tidak dicatat)"}


def test_a_long_output_keeps_its_keys_with_shortened_values(tmp_path: Path) -> None:
    """The network SOP's output of a router with a long config diff was recorded as its
    key names alone: reachability and health lost with the diff. Now each key stays, its
    long text and lists shortened and marked; a short output is recorded as it is."""
    tags_file = tmp_path / "tags.jsonl"
    tags_file.write_text(json.dumps({"uuid": "u", "tags": ["persiapan"]}) + "\n")
    recorder = EventRecorder(load_catalogue(FIXTURES / "catalogue")["local-demo"],
                             TagIndex(tags_file))
    diff = "\n".join(f"+/ip firewall filter add chain=input comment=rule{i}" for i in range(400))
    router = {"reachable": True, "health": {"cpu": 12, "uptime": "3w"},
              "diff_konfigurasi": diff, "log_warnings": [f"login failure {i}" for i in range(60)]}
    many = {f"key{i}": "x" * 200 for i in range(400)}  # its key names alone are too long
    for output in (router, {"ok": 1}, many):
        recorder(_event("runner_on_ok", "u", "01", host="gw", res={"sop_output": output}))
    recorded, short, names = recorder.activities[1].outputs
    assert len(json.dumps(recorded, ensure_ascii=False)) <= MAX_OUTPUT_CHARS
    assert recorded["truncated"] is True
    assert recorded["host"] == "gw" and recorded["reachable"] is True
    assert recorded["health"] == {"cpu": 12, "uptime": "3w"}
    assert recorded["diff_konfigurasi"].startswith("+/ip firewall filter add chain=input")
    assert recorded["diff_konfigurasi"].endswith("…")
    assert recorded["log_warnings"][-1].endswith(" lainnya)")
    assert short == {"host": "gw", "task": "task u", "ok": 1}
    assert names == {"truncated": True, "keys": sorted(["host", "task", *many])[:20]}


# A manual activity's automated part (the catalogue's `automated_part`): local-demo's
# activity 3, tag `tindakan` (as the website's quarantine is activity 6's).
PART_TAGS = [
    {"uuid": "u1", "tags": ["persiapan"]},
    {"uuid": "u2", "tags": ["tindakan"]},
    {"uuid": "u3", "tags": ["tindakan"]},
    {"uuid": "u4", "tags": ["always"]},
]
MOVED = {"dipindahkan": ["/srv/web/uploads/x.php -> /var/lib/q/20261205T124400Z/srv/web/x.php"],
         "dibiarkan": [], "gagal": []}


Send = Callable[[dict[str, Any]], bool]


def _part_recorder(tmp_path: Path, chosen: tuple[int, ...] = ()) -> tuple[EventRecorder, Send]:
    """A recorder of local-demo with PART_TAGS, and how to send it an event."""
    tmp_path.mkdir(exist_ok=True)
    tags_file = tmp_path / "tags.jsonl"
    tags_file.write_text("".join(json.dumps(t) + "\n" for t in PART_TAGS))
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    recorder = EventRecorder(sop, TagIndex(tags_file), chosen=chosen)
    return recorder, _Arrivals().recorder(recorder)


def _part_rows(recorder: EventRecorder, cut_short: str) -> dict[int, dict[str, Any]]:
    """The rows the runner writes, by number, from rows recorded as `sop run` does."""
    initial = [{"number": a.number, "mode": a.mode} for a in recorder.sop.activities]
    rows = _activity_rows(recorder, initial, cut_short=cut_short)
    return {row["number"]: row for row in rows}


def _run_part(send: Send, *results: tuple[str, dict[str, Any]], stats: bool = True) -> None:
    """Activity 1's task, then the part's tasks u2, u3 with `results` (kind, res), then
    (`stats`) the closing task tagged always and the playbook's end."""
    send(_event("playbook_on_task_start", "u1", "00"))
    send(_event("runner_on_ok", "u1", "01", host="web", res={}))
    for second, (uuid, (kind, res)) in enumerate(zip(("u2", "u3"), results, strict=False), 2):
        send(_event("playbook_on_task_start", uuid, f"{second:02}"))
        send(_event(kind, uuid, f"{second + 1:02}", host="web", res=res))
    if stats:
        send(_event("playbook_on_task_start", "u4", "09"))
        send({**_event("playbook_on_stats", "", "10"), "event_data": {"ok": {"web": 3}}})


def test_the_automated_part_of_a_manual_activity_is_recorded_with_it(tmp_path: Path) -> None:
    """The website's quarantine (activity 6's, a manual step) mapped to no activity: which
    files it moved was in the play's output only. Its tasks are the activity's: their
    hosts, times and outputs are recorded with it, and its status is left to the row
    (pending-manual: it waits for `sop ack` as a manual step does)."""
    recorder, send = _part_recorder(tmp_path)
    _run_part(send, ("runner_on_ok", {"changed": True, "sop_output": MOVED}),
              ("runner_on_ok", {"changed": False}))
    part = recorder.activities[3]
    assert (part.tag, part.status, part.ran, part.duration) == ("tindakan", "changed", True, 2.0)
    assert part.outputs == [{"host": "web", "task": "task u2", **MOVED}]
    row = _part_rows(recorder, "failed")[3]
    assert "status" not in row  # the row's own: pending-manual, or an ack meanwhile
    assert (row["hosts"], row["duration_s"], row["outputs"]) == (["web"], 2.0, part.outputs)
    assert row["started_at"] == datetime(2025, 1, 1, 0, 0, 2, tzinfo=UTC)


def test_a_failed_automated_part_fails_its_manual_activity(tmp_path: Path) -> None:
    recorder, send = _part_recorder(tmp_path)
    _run_part(send, ("runner_on_ok", {"changed": True, "sop_output": MOVED}),
              ("runner_on_failed", {"msg": "karantina /srv/web/y.php gagal: tautan"}),
              stats=False)
    row = _part_rows(recorder, "failed")[3]
    assert row["status"] == "failed"
    assert row["outputs"] == [
        {"host": "web", "task": "task u2", **MOVED},
        {"host": "web", "task": "task u3", "error": "karantina /srv/web/y.php gagal: tautan"},
    ]
    assert recorder.error() == "web: task u3: karantina /srv/web/y.php gagal: tautan"


def test_an_automated_part_not_asked_for_leaves_its_activity_as_it_was(tmp_path: Path) -> None:
    """The quarantine's tasks are skipped unless asked for (-e website_quarantine=true):
    its activity is then not written at all, the manual step recorded as before."""
    recorder, send = _part_recorder(tmp_path)
    _run_part(send, ("runner_on_skipped", {"skip_reason": "Conditional result was False"}),
              ("runner_on_skipped", {"skip_reason": "Conditional result was False"}))
    assert (recorder.activities[3].status, recorder.activities[3].ran) == ("skipped", False)
    assert set(_part_rows(recorder, "failed")) == {1, 2}  # the automated ones only


def test_an_automated_part_cut_short_is_recorded_cut_short(tmp_path: Path) -> None:
    """While the part runs, its row keeps its status and has no end yet; a stop in it
    (a cancel before its task answered) is recorded as it is for an automated activity,
    and one before it began changes nothing."""
    recorder, send = _part_recorder(tmp_path)
    send(_event("playbook_on_task_start", "u2", "00"))
    assert 3 not in _part_rows(recorder, "running")  # nothing to say of it yet
    assert _part_rows(recorder, "canceled")[3]["status"] == "canceled"
    send(_event("runner_on_ok", "u2", "01", host="web", res={"sop_output": MOVED}))
    send(_event("playbook_on_task_start", "u3", "02"))
    going = _part_rows(recorder, "running")[3]
    assert "status" not in going and going["ended_at"] is None and going["duration_s"] is None
    assert going["outputs"] == [{"host": "web", "task": "task u2", **MOVED}]
    assert _part_rows(recorder, "canceled")[3]["status"] == "canceled"
    before, send_before = _part_recorder(tmp_path / "before")
    send_before(_event("playbook_on_task_start", "u1", "00"))
    assert 3 not in _part_rows(before, "canceled")


def test_a_partial_run_maps_no_automated_part_of_an_activity_not_chosen(tmp_path: Path) -> None:
    recorder, send = _part_recorder(tmp_path, chosen=(1,))
    _run_part(send, ("runner_on_ok", {"changed": True, "sop_output": MOVED}))
    assert recorder.activities[3].status == "not-run"
    assert 3 not in _part_rows(recorder, "failed")


def test_an_ack_recorded_while_the_part_ran_stands(store_url: str, tmp_path: Path) -> None:
    """A `sop ack` of the manual step recorded while its automated part ran: the run's
    record of the part adds its results and outputs, and the ack (status, who, note)
    stands."""
    recorder, send = _part_recorder(tmp_path)
    store = Store(store_url)
    try:
        initial = _initial_activities(recorder.sop, store, automated=True)
        values = {"sop_id": "local-demo", "sop_title": "Uji", "sop_number": "1/TEST",
                  "catalogue_version": "0", "catalogue_hash": "x", "operator": "budi",
                  "trigger": "manual", "hosts": [], "pid": 1}
        execution_id = store.create_execution(values, initial)
        store.acknowledge(execution_id, 3, "Budi", "tidak ada masalah")
        _run_part(send, ("runner_on_ok", {"changed": True, "sop_output": MOVED}))
        store.finish_execution(execution_id, status="successful", rc=0,
                               activities=_activity_rows(recorder, initial, cut_short="failed"))
        third = store.execution(execution_id)["activities"][2]
    finally:
        store.close()
    assert (third["status"], third["acknowledged_by"], third["note"]) == (
        "acknowledged", "Budi", "tidak ada masalah")
    assert third["outputs"] == [{"host": "web", "task": "task u2", **MOVED}]
