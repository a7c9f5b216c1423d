"""导出证书: save a certificate as a .cer (DER) file the clerk can send to a partner or portal."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from helper.certs import CertInfo
from helper.fileio import atomic_write_bytes
from helper.messages import HelperError


def suggested_name(info: CertInfo) -> str:
    name = "_".join(p for p in (info.unit, info.subject_cn if info.subject_cn != info.unit else "") if p)
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name or info.id) + ".cer"


def write_certificate(path: Path, info: CertInfo) -> Path:
    """Write the DER certificate atomically (the save dialog already confirmed any overwrite)."""
    try:
        atomic_write_bytes(path, info.der, overwrite=True)
    except HelperError:
        raise
    except OSError as exc:
        raise HelperError("GUI_EXPORT_FAILED", path=str(path), detail=exc.strerror or type(exc).__name__) from exc
    return path


def ask_and_export(info: CertInfo, parent: QWidget | None = None) -> Path | None:
    """Ask where to save, then write; None when the clerk cancelled."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    title = QCoreApplication.translate("Export", "Export certificate")
    filters = QCoreApplication.translate("Export", "Certificate (*.cer)")
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(folder) / suggested_name(info)), filters)
    if not path:
        return None
    return write_certificate(Path(path), info)
