"""Terminal output shared by the commands: problems in both languages, progress bars."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from records import Problem

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
