"""Small helpers shared by the `mellanrum` commands (no Django imports)."""

from __future__ import annotations

from typing import Any

import click

__all__ = ["OneLineErrors"]


class OneLineErrors(click.Command):
    """Reports bad options as one ``Error: ...`` line, like every other error of a command.

    Click normally prints the usage and a hint on two more lines; scripts that read our errors
    expect exactly one line on standard error.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise click.ClickException(" ".join(exc.format_message().split())) from None
