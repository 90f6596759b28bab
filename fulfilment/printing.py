"""Send ZPL to a label printer over raw TCP (port 9100, the Zebra convention)."""

from __future__ import annotations

import socket
from dataclasses import dataclass


class PrintError(ValueError):
    code = "print_failed"
    status = 502

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.problems = [{"field": "printer", "reason": reason}]


@dataclass(frozen=True)
class Printer:
    host: str
    port: int = 9100
    timeout_s: float = 5.0


def send_zpl(printer: Printer, zpl: str) -> int:
    """Write the ZPL (UTF-8, as ^CI28 declares) to the printer; returns bytes sent."""
    data = zpl.encode("utf-8")
    try:
        with socket.create_connection((printer.host, printer.port),
                                      timeout=printer.timeout_s) as conn:
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)  # the printer prints once the job is complete
    except OSError as exc:
        raise PrintError(f"printer {printer.host}:{printer.port}: {exc.strerror or exc}") from None
    return len(data)


def configured(host: str | None, port: int = 9100) -> Printer | None:
    """The printer from settings, or None when labels should open as PDF instead."""
    return Printer(host=host, port=port) if host else None
