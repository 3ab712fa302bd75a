"""A refusal from the Matrix homeserver, in a module of its own: what reads a failure
(transports.delivery_errors) needs it without importing matrix-nio, which a process loads only
when Matrix is configured (transports.delivery)."""

from __future__ import annotations


class MatrixError(Exception):
    """The homeserver said no (`code`, e.g. M_FORBIDDEN), or asked to wait (`retry_after`)."""

    def __init__(self, code: str, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.retry_after = retry_after
