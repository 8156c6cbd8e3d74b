"""Terminal output shared by the commands: problems in both languages, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from archive import ArchiveError, DatabaseUnavailableError, StorageUnavailableError
from records import HocbaError, Problem
from signer import SignerError
from workflows.sitting import SittingEvent, SittingStarted

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_NOT_GENUINE = 1  # `hocba verify`: the document is readable but does not verify
EXIT_BAD_INPUT = 2


def show_problem(where: str, problem: Problem) -> None:
    path = f" [bold]{escape(problem.path)}[/bold]" if problem.path else ""
    colour = "red" if problem.severity == "error" else "yellow"
    err.print(f"[{colour}]{problem.severity}[/{colour}] {escape(where)}{path} [dim]({problem.code})[/dim]")
    err.print(f"    {escape(problem.message_vi)}")
    err.print(f"    [dim]{escape(problem.message_en)}[/dim]")


def progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def exit_code_for(exc: SignerError | ArchiveError) -> int:
    """The archive being down is the service's failure (1); everything else is about this book or signer (2)."""
    return EXIT_INTERNAL if isinstance(exc, StorageUnavailableError | DatabaseUnavailableError) else EXIT_BAD_INPUT


@contextmanager
def sitting_progress() -> Iterator[Callable[[SittingEvent], None]]:
    """A sitting's events drawn as a progress bar, each failed book printed with its code."""
    with progress() as bar:
        task = None

        def draw(event: SittingEvent) -> None:
            nonlocal task
            if isinstance(event, SittingStarted):
                task = bar.add_task(f"Ký số / signing as {event.signer_id}", total=event.total)
                return
            if event.error is not None:
                show_error(event.path, event.error)
            elif event.detail is not None:
                err.print(f"[red]{escape(str(event.path))}: {escape(event.detail)}[/red]")
            if task is not None:
                bar.advance(task)

        yield draw


def show_error(path: Path, exc: HocbaError) -> None:
    retry = " (thử lại được / retryable)" if exc.retryable else ""
    err.print(f"[red]{path}: {exc.code}{retry}[/red]\n    {exc.message_vi}\n    [dim]{exc.message_en}[/dim]")
