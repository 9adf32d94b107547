"""Runs independent tasks in forked worker processes; results come back pickled through a pipe.

Forking (not spawning) means a worker starts with everything already imported and discovered, so a task
costs only its own work plus pickling its result. Where `os.fork` is unavailable everything runs here.
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Forking is used only on Linux and the BSDs: macOS frameworks are not fork-safe, Windows has no fork."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def run_forked(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Each task's result, in order: tasks[1:] in forked children while tasks[0] runs here.

    A child that fails in any way (an exception, a result that cannot be pickled, a crash) is not an
    error: its task is run again here, so the outcome never depends on the workers.
    """
    if len(tasks) < 2 or not can_fork():
        return [task() for task in tasks]
    children: list[tuple[int, int]] = []
    try:
        for task in tasks[1:]:
            children.append(_fork(task))
        results = [tasks[0]()]
        for task in tasks[1:]:
            pid, fd = children[0]
            ok, value = _collect(pid, fd)
            children.pop(0)
            results.append(value if ok else task())
        return results
    finally:
        for pid, fd in children:  # left only when this process is unwinding from an exception
            _abandon(pid, fd)


def _fork(task: Callable[[], T]) -> tuple[int, int]:
    import pickle

    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's cleanup
        os.close(read_end)
        status = 1
        try:
            try:
                payload = pickle.dumps((True, task()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                payload = pickle.dumps((False, None))
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, fd: int) -> tuple[bool, object]:
    import pickle

    with os.fdopen(fd, "rb") as stream:
        payload = stream.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return False, None
    try:
        ok, value = pickle.loads(payload)
    except Exception:
        return False, None
    return bool(ok), value


def _abandon(pid: int, fd: int) -> None:
    import signal

    try:
        os.close(fd)
    except OSError:
        pass
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except OSError:
        pass
