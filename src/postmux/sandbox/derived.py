"""What an emulator reads off its plugin's declarations instead of restating them.

The adapter already declares the vendor's words (:mod:`postmux.vocabulary`);
an emulator that writes them again, backwards, can drift from them.
:func:`status_codes` gives the vendor's error code for each HTTP status (for
``Emulator.error_codes``) from the error envelope's code → class table, as
:func:`~postmux.sandbox.kit.phase_words` and :func:`~postmux.sandbox.kit.account_json`
read the status map and the account fields backwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..errors import ProviderError, error_for_status

__all__ = ["HTTP_ERRORS", "status_codes"]

HTTP_ERRORS = (400, 401, 402, 403, 404, 409, 410, 422, 429, 500, 502, 503, 504)
"""The error statuses :func:`status_codes` gives a code by default."""


def status_codes(
    classes: Mapping[str, type[ProviderError]], statuses: Iterable[int] = HTTP_ERRORS
) -> dict[int, str]:
    """HTTP status → the first code of ``classes`` whose class the core reads that status as.

    So an emulator answering a bare 404 sends the code its adapter reads as a
    404 would be (``not_found``), from the table the adapter already has.
    """
    out: dict[int, str] = {}
    for status in statuses:
        cls = type(error_for_status(status, "", provider=""))
        code = next((c for c, k in classes.items() if k is cls), None)
        if code is not None:
            out[status] = code
    return out
