"""Load project modules the way Ansible runs them: module_utils/<name>.py as
ansible.module_utils.<name> (conftest.py puts module_utils/ on that package's path),
library/<name>.py as a stand-alone module."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from ansible.module_utils import _internal, basic
from ansible.module_utils.common import warnings

ROOT = Path(__file__).resolve().parents[2]
# A role's tasks run on this controller with this venv's Python: what Ansible would
# discover first on PATH may be another Python (a pyenv shim) without the project's
# dependencies.
LOCAL_PLAYBOOK = ("ansible-playbook", "-i", "localhost,", "-c", "local",
                  "-e", f"ansible_python_interpreter={sys.executable}")


def last_message(tmp_path: Path, play: list[dict[str, Any]]) -> str:
    """The message of the last task the local playbook ``play`` ran on localhost, as
    Ansible's json callback reports it (a role's rescue, run with its failing task)."""
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120)
    tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
    return str(tasks[-1]["hosts"]["localhost"]["msg"])


@contextlib.contextmanager
def tmpfs(path: Path, size: str, inodes: int | None = None) -> Iterator[Path]:
    """``path`` (made) as a tmpfs of ``size`` (``1m``) and, given, ``inodes`` file entries:
    a file system that fills up for real, unmounted afterwards; the test is skipped where
    mounting needs root."""
    if os.geteuid() != 0:
        pytest.skip("mounts a tmpfs")
    path.mkdir()
    options = f"size={size}" + (f",nr_inodes={inodes}" if inodes else "")
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


@contextlib.contextmanager
def lock_held(lock: Path, note: str | None = None,
              argument: str = "holder-of-the-lock") -> Iterator[tuple[int, str]]:
    """Another process holding the flock of ``lock`` (as a verification or an ingest
    does), the lock file saying ``note`` in that process's words (note_holder) when
    given: its pid and command line (``argument`` its last word, a surrogate escape in it
    the byte), as /proc names them. It ends afterwards; its script
    lives in a folder of its own (none is added next to the lock, in a store)."""
    with tempfile.TemporaryDirectory(prefix="lock-holder-") as folder:
        script = Path(folder) / "holder.py"
        script.write_text(
            "import fcntl, os, sys, time\nimport ansible.module_utils\n"
            f"ansible.module_utils.__path__.append({str(ROOT / 'module_utils')!r})\n"
            f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            + ("from ansible.module_utils.sop_backup_files import note_holder\n"
               f"note_holder(fd, {note!r})\n" if note else "")
            + "print('held', flush=True)\ntime.sleep(120)\n")
        argv = [sys.executable, str(script), argument]
        holder = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            yield holder.pid, " ".join(argv)
        finally:
            holder.kill()
            holder.wait()
            if holder.stdout is not None:
                holder.stdout.close()


def count_reads(monkeypatch: pytest.MonkeyPatch, path: str) -> list[str]:
    """A list that grows by one each time ``path`` is opened for reading in this process
    (os.open read-only, or open() in a mode that reads: a ledger read either way); an
    append (os.open read-write) does not count."""
    opened: list[str] = []
    real_open, real_os_open = open, os.open

    def counting_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | os.PathLike) and os.fspath(file) == path \
                and ("r" in mode or "+" in mode):
            opened.append(path)
        return real_open(file, mode, *args, **kwargs)

    def counting_os_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if isinstance(file, str | os.PathLike) and os.fspath(file) == path \
                and flags & os.O_ACCMODE == os.O_RDONLY:
            opened.append(path)
        return real_os_open(file, flags, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    monkeypatch.setattr(os, "open", counting_os_open)
    return opened


def load(name: str) -> ModuleType:
    if (ROOT / "module_utils" / f"{name}.py").is_file():
        return importlib.import_module(f"ansible.module_utils.{name}")
    qualified = f"sop_library_{name}"
    if qualified not in sys.modules:
        spec = importlib.util.spec_from_file_location(qualified, ROOT / "library" / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        spec.loader.exec_module(module)
    return sys.modules[qualified]


def filters(plugin: str) -> dict[str, Callable[..., Any]]:
    """The filters of plugins/filter/PLUGIN.py by their names, as Ansible finds them."""
    spec = importlib.util.spec_from_file_location(f"sop_filter_{plugin}",
                                                  ROOT / "plugins" / "filter" / f"{plugin}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    found: dict[str, Callable[..., Any]] = module.FilterModule().filters()
    return found


_UTILS = f"""
import ansible.module_utils
ansible.module_utils.__path__.append({str(ROOT / "module_utils")!r})
"""
_DRIVER = _UTILS + """
import runpy
runpy.run_path({module!r}, run_name="__main__")
"""


def file_size_limit(size: int | None) -> Callable[[], None] | None:
    """A child's preexec_fn: files it writes cannot grow past ``size`` bytes
    (RLIMIT_FSIZE; Python ignores SIGXFSZ), so the write that crosses it is short and
    the next one fails with EFBIG, as on a full disk, without mounting one."""
    if size is None:
        return None
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def run_python(code: str, *, file_limit: int | None = None,
               seconds: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in its own Python process, importing the project's module_utils as
    ``ansible.module_utils.<name>``; ``file_limit`` as in file_size_limit."""
    return subprocess.run([sys.executable, "-c", _UTILS + code], capture_output=True,
                          text=True, check=False, timeout=seconds,
                          preexec_fn=file_size_limit(file_limit))


def module_argv(name: str, tmp_path: Path, args: dict[str, Any]) -> list[str]:
    """The command line that runs library/<name>.py with ``args`` (written to a file in
    ``tmp_path``) in its own Python process, as Ansible runs it on a host."""
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    code = _DRIVER.format(module=str(ROOT / "library" / f"{name}.py"))
    return [sys.executable, "-c", code, str(args_file)]


def run_module(name: str, tmp_path: Path, args: dict[str, Any],
               seconds: float = 300, file_limit: int | None = None) -> tuple[int, dict[str, Any]]:
    """Run library/<name>.py in its own Python process with ``args``, as Ansible runs it
    on a host: its exit code and JSON result. A traceback fails the test; so does a
    module still running after ``seconds`` (killed: it fails its test instead of hanging
    the suite). ``file_limit`` as in file_size_limit."""
    try:
        proc = subprocess.run(module_argv(name, tmp_path, args), capture_output=True,
                              text=True, check=False, timeout=seconds,
                              preexec_fn=file_size_limit(file_limit))
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name} did not end within {seconds:g} s")
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc.returncode, json.loads(proc.stdout)


def run_main(name: str, args: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """library/<name>.py's main() with ``args``: its JSON result, with its own warnings
    only (they are kept in this process until it ends), as on a host (where Ansible's
    controller code is loaded, as another test file may have, warnings go to its display
    instead)."""
    module = load(name)
    monkeypatch.setattr(warnings, "_global_warnings", {})
    monkeypatch.setattr(_internal, "is_controller", False)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
    with pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def warning_lines(result: dict[str, Any]) -> list[str]:
    """A module's warnings (ansible-core 2.19 returns each as a summary of its event)."""
    return [w if isinstance(w, str) else w["event"]["msg"] for w in result.get("warnings", [])]


def webshell_archive(folder: Path) -> Path:
    """``folder``/swapped.tar.zst, a site archive of one PHP webshell: what a swap puts in
    place of the archive a check hashed."""
    (folder / "extra").mkdir()
    (folder / "extra" / "shell.php").write_text("<?php system($_GET['c']);")
    swapped = folder / "swapped.tar.zst"
    subprocess.run(["tar", "-c", "--zstd", "-f", str(swapped), "-C", str(folder / "extra"),
                    "."], check=True)
    return swapped


# A play's head whose `court_secret` is vaulted (the password `uji-vault`, the plaintext
# `rahasia-vault-9`): what an action plugin is given when a role passes a vaulted value.
VAULTED_PLAY_HEAD = """
- hosts: localhost
  gather_facts: false
  vars:
    court_secret: !vault |
      $ANSIBLE_VAULT;1.1;AES256
      33373037303563333963643732636261623461393237626235393566303939326135623232343161
      6138336132323866396134373133343030303763386161300a366630613232393430633763343033
      37626435353630663162333838633039346663363036363639646533656133336231366630346263
      6134656462656534610a313237363332373066393762613334656266383532326434316662393532
      6139
"""
VAULTED_PLAINTEXT = "rahasia-vault-9"


def run_vaulted_play(tmp_path: Path, play: str) -> list[dict[str, Any]]:
    """``play`` (VAULTED_PLAY_HEAD and its own vars and tasks) in check mode with the
    vault's password: each task's result on localhost, in order; the vault's plaintext in
    none of ansible-playbook's output."""
    (tmp_path / "play.yml").write_text(play, encoding="utf-8")
    (tmp_path / "vault-pass").write_text("uji-vault", encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, "--check", "--vault-password-file",
                           str(tmp_path / "vault-pass"), str(tmp_path / "play.yml")],
                          capture_output=True, text=True, check=False, env=env, timeout=120,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert VAULTED_PLAINTEXT not in proc.stdout + proc.stderr
    return [task["hosts"]["localhost"] for task in json.loads(proc.stdout)["plays"][0]["tasks"]]
