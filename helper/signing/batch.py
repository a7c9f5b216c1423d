"""Batch signing: many files with one key login; a result per file; a clean stop when the key goes away.

Files are signed one after the other. A file that cannot be signed is reported with its code and the batch
goes on; a key or network failure (key removed, timestamp server down) stops the batch: files already done
stay valid, the rest are left untouched and reported as not processed. No partial file is ever left.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from helper.fileio import check_output
from helper.messages import HelperError
from helper.signing.engine import DocumentSigner, SignedFile
from tokenio.errors import TokenError

OUTPUT_SUFFIX = "-signed"
STOP_CODES = frozenset({"TSA_FAILED", "REVOCATION_UNAVAILABLE"})
Status = Literal["signed", "refused", "not_processed"]


@dataclass(frozen=True)
class BatchItem:
    source: Path
    output: Path
    password: bytes | None = None


@dataclass(frozen=True)
class FileResult:
    item: BatchItem
    status: Status
    code: str = ""
    params: dict | None = None
    signed: SignedFile | None = None

    @property
    def error(self) -> HelperError | None:
        return HelperError(self.code, **(self.params or {})) if self.code else None


@dataclass(frozen=True)
class BatchReport:
    results: tuple[FileResult, ...]
    stopped: FileResult | None  # the failure that stopped the batch

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def ok(self) -> bool:
        return all(r.status == "signed" for r in self.results)


def collect_inputs(paths: Iterable[Path]) -> list[Path]:
    """PDF files named directly, plus the *.pdf files (any case) directly inside named folders, sorted."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")
            if not found:
                raise HelperError("SIGN_NO_INPUT", path=str(path))
            out += found
        else:
            out.append(path)
    return out


def output_for(source: Path, out: Path | None, several: bool) -> Path:
    """Where a signed file goes: ``out`` itself for one file, else ``out``/NAME-signed.pdf (next to the
    source when ``out`` is None)."""
    if out is not None and not several and not out.is_dir():
        return out
    folder = out if out is not None else source.parent
    if out is not None and out.exists() and not out.is_dir():
        raise HelperError("SIGN_OUT_NOT_DIR", path=str(out))
    return folder / f"{source.stem}{OUTPUT_SUFFIX}.pdf"


@dataclass(frozen=True)
class Selection:
    """The PDFs a batch will sign, and those it leaves out because an earlier run already signed them."""

    sources: list[Path]
    several: bool
    skipped: list[Path]


_EARLIER_OUTPUT = re.compile(re.escape(OUTPUT_SUFFIX) + r"( \(\d+\))?\.pdf$", re.IGNORECASE)


def select(paths: Sequence[Path], out: Path | None, *, include_signed: bool = False,
           overwrite: bool = False) -> Selection:
    """Each input PDF once. In a batch, files an earlier run produced (``NAME-signed.pdf`` /
    ``NAME-signed (2).pdf`` holding a signature) are skipped unless ``include_signed``, and so are inputs
    whose signed copy is already where this run would save it unless ``overwrite``."""
    sources = list({s.resolve(): s for s in collect_inputs(paths)}.values())
    several = len(sources) > 1 or any(p.is_dir() for p in paths)
    if not several:
        return Selection(sources, several, [])
    skipped = [] if include_signed else [s for s in sources if _EARLIER_OUTPUT.search(s.name) and _has_signature(s)]
    kept = [s for s in sources if s not in skipped]
    if not overwrite:
        skipped += [s for s in kept if _has_signature(output_for(s, out, several))]
    return Selection([s for s in sources if s not in skipped], several, sorted(skipped))


def _has_signature(path: Path) -> bool:
    try:
        return path.is_file() and b"/ByteRange" in path.read_bytes()
    except OSError:
        return False


def items_for(selection: Selection, out: Path | None) -> list[BatchItem]:
    """Where each selected file goes. In a batch no output lands on an input or on another output: a clash
    gets ``NAME-signed (2).pdf`` and so on (e.g. two ``名册.pdf`` from two folders); a batch's ``out`` folder
    is created when missing, if its parent exists (HelperError OUTPUT_FOLDER_MISSING otherwise)."""
    sources, several = selection.sources, selection.several
    if not several:
        return [BatchItem(s, output_for(s, out, several)) for s in sources]
    if out is not None and not out.exists() and sources:
        check_output(out)
        out.mkdir()
    taken = {s.resolve() for s in sources}
    items = []
    for source in sources:
        target = _free_name(output_for(source, out, several), taken)
        taken.add(target.resolve())
        items.append(BatchItem(source, target))
    return items


def plan(paths: Sequence[Path], out: Path | None, *, include_signed: bool = False) -> list[BatchItem]:
    """One item per input PDF to sign (see select and items_for)."""
    return items_for(select(paths, out, include_signed=include_signed), out)


def _free_name(path: Path, taken: set[Path]) -> Path:
    candidate, n = path, 2
    while candidate.resolve() in taken:
        candidate, n = path.with_name(f"{path.stem} ({n}){path.suffix}"), n + 1
    return candidate


def _error_of(exc: HelperError | TokenError) -> tuple[str, dict]:
    return exc.code, dict(exc.params)


def run(signer: DocumentSigner, items: Sequence[BatchItem],
        on_result: Callable[[FileResult], None] | None = None,
        cancelled: Callable[[], bool] | None = None) -> BatchReport:
    """Sign ``items`` in order; ``on_result`` is called after each file (for progress displays)."""
    results: list[FileResult] = []
    stopped: FileResult | None = None
    for n, item in enumerate(items):
        if cancelled is not None and cancelled():
            stopped = FileResult(item, "not_processed", "CANCELLED", {})
        if stopped is not None:
            results += [FileResult(i, "not_processed") for i in items[n:]]
            break
        try:
            result = FileResult(item, "signed", signed=signer.sign(item.source, item.output, password=item.password))
        except TokenError as exc:
            stopped = result = FileResult(item, "not_processed", *_error_of(exc))
        except HelperError as exc:
            result = FileResult(item, "refused", *_error_of(exc))
            if exc.code in STOP_CODES:
                stopped = result
        results.append(result)
        if on_result is not None:
            on_result(result)
    return BatchReport(tuple(results), stopped)
