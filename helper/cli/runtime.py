"""What every command shares: the context (token service, language, JSON), output, and one error path.

Every failure becomes the catalogue's 提示/说明/解决方案 text (or its JSON) and the entry's exit code;
tracebacks go to the log file, and to the terminal only with --verbose.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from helper import messages

log = logging.getLogger("cahelper.cli")


@dataclass
class CliContext:
    modules: tuple[str, ...] = ()
    lang: str | None = None
    verbose: bool = False
    json: bool = False
    _service: Any = field(default=None, repr=False)

    def configure(self, *, modules: tuple[str, ...], lang: str | None, verbose: bool) -> None:
        """Apply the global options (called by the group before any command runs)."""
        self.modules, self.lang, self.verbose = modules, lang, verbose
        if self.lang is None:
            try:
                from helper import settings

                self.lang = settings.load().language
            except messages.HelperError:
                self.lang = "zh"
        messages.set_language(self.lang)

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def t(self, zh: str, en: str) -> str:
        """Pick the CLI's own short labels by language."""
        return zh if self.zh else en

    def token_service(self):
        if self._service is None:
            from helper.keys import make_service

            self._service = make_service(self.modules)
        return self._service

    def keys(self):
        from helper.keys import KeyService

        return KeyService(self.token_service())

    def close(self) -> None:
        if self._service is not None:
            self._service.shutdown()
            self._service = None


def obj() -> CliContext:
    return click.get_current_context().find_root().obj


def emit_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def emit_notice(code: str, **params: Any) -> None:
    """A non-fatal catalogue message (e.g. the default-PIN warning) on stderr."""
    click.echo(messages.get(code, **params).as_text(), err=True)


def read_input(path: Path) -> bytes:
    """An input file's bytes, read once (the path may be a pipe); HelperError FILE_NOT_FOUND."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise messages.HelperError("FILE_NOT_FOUND", path=str(path)) from exc


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGHUP", "SIGTERM") if hasattr(signal, name))


@contextlib.contextmanager
def stop_requests() -> Iterator[Callable[[], bool]]:
    """Inside, Ctrl-C, closing the terminal (SIGHUP) and SIGTERM only ask the running loop to stop after
    its current step (a batch: after the current file); yields the check the loop polls."""
    requested = threading.Event()
    previous = {sig: signal.signal(sig, lambda _sig, _frame: requested.set()) for sig in _STOP_SIGNALS}
    try:
        yield requested.is_set
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupt(_sig: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def os_error(exc: OSError) -> messages.HelperError:
    """The coded message for an operating-system failure no command turned into one itself."""
    from helper.fileio import output_error

    path = str(exc.filename or "")
    if isinstance(exc, FileNotFoundError):
        return messages.HelperError("FILE_NOT_FOUND", path=path)
    if isinstance(exc, IsADirectoryError):
        return messages.HelperError("PATH_IS_FOLDER", path=path)
    if isinstance(exc, PermissionError):
        return messages.HelperError("FILE_NOT_READABLE", path=path, detail=exc.strerror)
    return output_error(Path(path), exc)


def _quiet_broken_pipe() -> None:
    """The reader went away (``cahelper certs | head -1``): stop quietly, as other command-line programs do."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail again
    sys.exit(0)


def _fail(exc: BaseException, ctx: CliContext) -> int:
    if isinstance(exc, OSError):
        exc = os_error(exc)
    message = messages.describe(exc)
    if ctx.json:
        emit_json({"ok": False, "error": message.as_json()})
    else:
        click.echo(message.as_text(), err=True)
    if message.code == "INTERNAL_ERROR" or ctx.verbose:
        log.error("command failed", exc_info=exc)
        if ctx.verbose:
            import traceback

            traceback.print_exception(exc, file=sys.stderr)
    return message.exit_code or 1


def _lang_option(args: list[str]) -> str | None:
    for n, arg in enumerate(args):
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else args[n + 1] if arg == "--lang" \
            and n + 1 < len(args) else None
        if value in messages.LANGUAGES:
            return value
    return None


def run(group: click.Group) -> None:
    """Run the CLI with the one error path."""
    from helper.logsetup import configure_logging

    configure_logging()
    # The process ends after one command: a last full collection of every object at interpreter exit costs
    # about as long as listing the keys, and frees nothing the system does not free anyway.
    atexit.register(gc.freeze)
    for sig in set(_STOP_SIGNALS) - {signal.SIGINT}:  # a closed terminal or a kill ends a command as Ctrl-C does
        signal.signal(sig, _interrupt)
    ctx = CliContext()
    try:
        with group.make_context("cahelper", sys.argv[1:], obj=ctx) as click_ctx:
            group.invoke(click_ctx)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        from helper.cli.usage import usage_error

        if ctx.lang is None:  # the command line broke before the global options were applied
            ctx.configure(modules=(), lang=_lang_option(sys.argv[1:]), verbose=False)
        sys.exit(_fail(usage_error(exc), ctx))
    except BrokenPipeError:
        _quiet_broken_pipe()
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo(messages.get("CANCELLED").as_text(), err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the single place where failures become user messages
        sys.exit(_fail(exc, ctx))
    sys.exit(0)
