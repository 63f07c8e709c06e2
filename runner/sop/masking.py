"""What the runner records of a task result, and the events and output ansible-runner keeps
as artifacts, show no secret: module_utils/sop_secrets.py's rules, the modules' own (one
implementation, never a copy of its patterns).

Ansible makes a project's ``module_utils`` importable only inside modules (it ships them
to the host), so the file is loaded here by its path, as plugins/filter/sop_module_utils.py
loads it for the roles; ``sop`` is installed from the checkout (``pip install -e``).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

_SOURCE = Path(__file__).resolve().parents[2] / "module_utils" / "sop_secrets.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sop_project_secrets", _SOURCE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {_SOURCE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SECRETS = _load()


def mask_ansible_error(text: str) -> str:
    """A failed task's cause, or Ansible's own error line (recorded as an execution's error
    when no task failed), as the records show it: every URL's ``user:password@`` and
    secret-looking query values, the values of password options (``--password=X``,
    ``mysql -pX``) and of ``NAME=value`` words with a secret-looking name, and the value
    of a secret-looking ``key: value`` setting it quotes from an inventory, a vars file,
    extra vars or a configuration (``sipp_db_password: ***``, ``"dbPassword": ***``)
    replaced by ***; module_utils/sop_secrets.py's ``mask_ansible_error``."""
    return str(_SECRETS.mask_ansible_error(text) or "")


def mask_output_lines(lines: Iterable[str]) -> Iterator[str]:
    """The lines of a run's output (its ``stdout`` artifact) as the records keep them, one
    at a time: each masked by ``mask_ansible_error``, which masks an Ansible Vault block
    seen whole on one line and a lone payload line of 80 hex digits, but not a block's
    last, shorter line without its header. So after a line holding a block's header
    (``$ANSIBLE_VAULT;1.1;AES256``), each line that is hex alone (indented, coloured,
    after a diff's + or -, quoted as a ``stdout_lines`` item) is shown as ***, up to the
    first line that is neither that nor *** alone (a payload line its event's masking
    showed as ***): module_utils/sop_secrets.py's ``VAULT_HEADER`` and
    ``VAULT_PAYLOAD_LINE``."""
    payload = False
    for line in lines:
        match = _SECRETS.VAULT_PAYLOAD_LINE.match(line) if payload else None
        if match:
            yield match.group(1) + _SECRETS.MASK + line[match.end():]
            continue
        payload = _SECRETS.VAULT_HEADER.search(line) is not None
        yield mask_ansible_error(line)


def mask_notify_reason(text: str, urls: Iterable[str]) -> str:
    """``text`` (apprise's reason for a failed delivery, recorded and logged) with every
    part of ``urls`` that may be a secret as ***, longest first; module_utils/
    sop_secrets.py's ``notify_url_secrets``."""
    secrets = sorted({part for url in urls for part in _SECRETS.notify_url_secrets(url)},
                     key=len, reverse=True)
    for part in secrets:
        text = text.replace(part, "***")
    return text


# The names of secret settings: sop_secrets' own pattern for a quoted ``"key": value`` that
# mask_ansible_error masks (sipp_db_password, DB_Password, dbPassword, password_file; not
# KeyError, no_log, changed), one implementation.
_SECRET_KEY: re.Pattern[str] = _SECRETS.SECRET_SETTING_KEY


def mask_event(event: dict[str, Any]) -> None:
    """An ansible-runner event as its artifacts keep it, in place: every string in it (a
    failed task's stderr and msg, the text shown for it) masked by ``mask_ansible_error``,
    and every string or number under a key named as a secret setting (a ``set_fact`` or
    ``include_vars`` result's ``sipp_db_password``, a ``password`` among the module's
    ``invocation.module_args`` it did not declare no_log), at any depth, replaced by ***.
    The event handler's dict is the one ansible-runner then writes to ``job_events/`` and,
    for a task's event, its text to the ``stdout`` artifact. The nested values are
    replaced, not changed: what read the event before keeps them."""
    masked = _masked(event, secret=False)
    event.clear()
    event.update(masked)


def _masked(value: Any, *, secret: bool) -> Any:
    """``value`` masked; ``secret``: it is (or is inside) a secret setting's value."""
    if isinstance(value, dict):
        return {
            key: _masked(item, secret=secret or _SECRET_KEY.fullmatch(str(key)) is not None)
            for key, item in value.items()
        }
    if isinstance(value, list):
        if not secret and value and all(isinstance(item, str) for item in value):
            # a command's words (a command module's cmd, an argv): read as one command
            # line, so a word holding a quoted value's spaces (--password=a b) is masked whole
            value = _SECRETS.mask_argv(value)
        return [_masked(item, secret=secret) for item in value]
    if secret and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return _SECRETS.MASK
    if isinstance(value, str):
        return mask_ansible_error(value)
    return value
