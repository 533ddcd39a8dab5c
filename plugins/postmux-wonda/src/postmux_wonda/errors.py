"""Wonda's upload error; its error bodies are read by the vocabulary.

The envelope, the codes and the ``deferUntil`` retry hint are declared in
:mod:`.vocabulary` (each documented code picks its error class; ``.code``
always keeps Wonda's own code; ``deferUntil`` is the retry hint when there is
no ``Retry-After`` header, read by :func:`postmux.vocabulary.seconds_until`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from postmux import InvalidRequestError

__all__ = ["UploadError"]


class UploadError(InvalidRequestError):
    """Wonda refused some files of an upload; nothing was published.

    ``files`` maps each refused file's name to Wonda's reason
    (``"Unsupported MIME type"``…).
    """

    def __init__(self, files: Mapping[str, str], **kwargs: Any) -> None:
        self.files = dict(files)
        listing = "; ".join(f"{name}: {reason}" for name, reason in self.files.items())
        super().__init__(
            f"Wonda refused {len(self.files)} file(s), nothing was published: {listing}", **kwargs
        )
