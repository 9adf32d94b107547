"""How corslint words an unexpected exception of its own (a bug) in the CORS001 finding that reports it."""

from __future__ import annotations


def describe(exc: BaseException) -> str:
    """`TypeError: message`, as the last line of a traceback shows it."""
    import traceback  # only ever needed on a bug path; it costs milliseconds of start-up

    return traceback.format_exception_only(type(exc), exc)[-1].strip()
