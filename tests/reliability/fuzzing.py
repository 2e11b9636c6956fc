"""Hypothesis strategies shared by the fuzz tests: any JSON value, byte-level mutations of real samples."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

SCALARS = (st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False)
           | st.text(max_size=30))
JSON: st.SearchStrategy[Any] = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25)


def keyed(keys: list[str], values: st.SearchStrategy[Any] = JSON) -> st.SearchStrategy[dict[str, Any]]:
    """Objects that use (some of) the keys a parser looks for, with any JSON values."""
    return st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))


@st.composite
def mutated(draw: st.DrawFn, seeds: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """A seed file after a few byte-level edits: flips, cuts, deletions, insertions, duplications."""
    suffix, data = draw(st.sampled_from(seeds))
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "delete", "insert", "duplicate"]))
        at = draw(st.integers(0, max(len(buffer) - 1, 0)))
        if kind == "flip" and buffer:
            buffer[at] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del buffer[at:]
        elif kind == "delete":
            del buffer[at:at + draw(st.integers(1, 64))]
        elif kind == "insert":
            buffer[at:at] = draw(st.binary(min_size=1, max_size=16) | st.sampled_from(
                [b"<", b">", b"\"", b"&amp;", b"]]>", b"\x00", b"\xff", b"{", b"}", b",", b"\n", b"<!ENTITY x"]))
        else:
            buffer[at:at] = buffer[at:at + draw(st.integers(1, 256))]
    return suffix, bytes(buffer)
