"""Click's usage errors as catalogue messages in the chosen language, with the README's exit codes.

A path that click found missing or of the wrong kind gets the same code as the commands' own checks
(FILE_NOT_FOUND, PATH_IS_FOLDER, FILE_NOT_READABLE: exit 5); everything else is USAGE_ERROR (exit 2).
"""

from __future__ import annotations

import ast
import errno
import os
import re

import click

from helper import messages
from helper.messages import HelperError

_PATH_PROBLEM = re.compile(r"(?P<name>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") (?P<what>does not exist|is a directory|"
                           r"is a file|is not readable|is not writable)\.$")


def usage_error(exc: click.ClickException) -> HelperError:
    """The coded message for a click exception raised while parsing the command line."""
    zh = messages.language() == "zh"
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "cahelper"
    detail = exc.format_message()
    param = getattr(exc, "param", None)
    name = _param_name(param) if param is not None else ""
    if isinstance(exc, click.BadParameter) and isinstance(getattr(param, "type", None), click.Path):
        path_error = _path_error(detail)
        if path_error is not None:
            return path_error
    if isinstance(exc, click.exceptions.NoSuchOption):
        what = f"没有 {exc.option_name} 这个选项" if zh else f"there is no option {exc.option_name}"
    elif isinstance(exc, click.exceptions.NoSuchCommand):
        what = f"没有 {exc.command_name} 这个命令" if zh else f"there is no command {exc.command_name}"
    elif isinstance(exc, click.MissingParameter):
        what = f"缺少 {name}" if zh else f"{name} is missing"
    elif isinstance(exc, click.BadParameter):
        what = f"{name} 的值不正确" if zh else f"the value of {name} is not valid"
    elif "unexpected extra argument" in detail:
        what = "多了参数" if zh else "an extra argument"
    else:
        what = "参数不对" if zh else "wrong arguments"
    return HelperError("USAGE_ERROR", what=what, command=command, detail=detail)


def _param_name(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return (param.metavar or param.name or "").upper()


def _path_error(detail: str) -> HelperError | None:
    match = _PATH_PROBLEM.search(detail)
    if match is None or match["what"] == "is a file":  # a file where a folder is wanted: a usage error
        return None
    path = ast.literal_eval(match["name"])  # click quotes the name with repr()
    if match["what"] == "does not exist":
        return HelperError("FILE_NOT_FOUND", path=path)
    if match["what"] == "is a directory":
        return HelperError("PATH_IS_FOLDER", path=path)
    code = "FILE_NOT_READABLE" if match["what"] == "is not readable" else "OUTPUT_NOT_WRITABLE"
    return HelperError(code, path=path, detail=os.strerror(errno.EACCES))
