"""The command line's one error handler: any package error a command lets through ends the command with its code,
both messages and the exit code this face gives it (2: the input, 1: the service itself)."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from archive import (
    AnchorError,
    CorruptObjectError,
    DatabaseConfigError,
    DatabaseOutdatedError,
    DatabaseUnavailableError,
    ExportError,
    StorageConfigError,
    StorageUnavailableError,
)
from records import HocbaError, TimestampUnavailableError
from templates import OriginalUnreadableError, TemplatesError
from workflows import WorkerLostError

from .console import EXIT_BAD_INPUT, EXIT_INTERNAL, err

# The service's own failures: its storage, database or configuration, a rendering fault, a damaged object. Every
# other error is about what the user gave (a record, a book, a key, an order of signing, an unknown document).
_INTERNAL: tuple[type[HocbaError], ...] = (
    TemplatesError,
    StorageUnavailableError,
    StorageConfigError,
    DatabaseUnavailableError,
    DatabaseConfigError,
    DatabaseOutdatedError,
    CorruptObjectError,
    AnchorError,
    TimestampUnavailableError,
    ExportError,
    WorkerLostError,
)


def exit_code_for(exc: HocbaError) -> int:
    if isinstance(exc, OriginalUnreadableError):  # pages asked of an original that does not have them
        return EXIT_BAD_INPUT
    return EXIT_INTERNAL if isinstance(exc, _INTERNAL) else EXIT_BAD_INPUT


def show(exc: HocbaError, where: str | None = None) -> None:
    retry = " (thử lại được / retryable)" if exc.retryable else ""
    place = f"{escape(where)}: " if where else ""
    err.print(
        f"[red]{place}{exc.code}{retry}[/red]\n    {escape(exc.message_vi)}\n    [dim]{escape(exc.message_en)}[/dim]"
    )


class HandledGroup(TyperGroup):
    """The root command group: a package error escaping any command is shown and becomes an exit code here."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click: its Context type is private
        try:
            return super().invoke(ctx)
        except HocbaError as exc:
            show(exc)
            raise typer.Exit(exit_code_for(exc)) from None
