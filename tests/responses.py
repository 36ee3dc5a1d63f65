"""What a response sends, whether it is whole or streamed (exports stream their files)."""

from __future__ import annotations


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
