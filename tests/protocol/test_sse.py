"""The one SSE decoder: WHATWG line endings and fields from raw bytes, and the caps that
stop a hostile server from filling memory with an endless line or event."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.protocol.sse import SSEDecoder, SSELimitError, decode_all, encode_event


def test_any_line_ending_any_chunking() -> None:
    stream = b"\xef\xbb\xbfevent: a\r\ndata: 1\r\rdata: 2\n\nevent: done\ndata: [DONE]\n\n"
    for size in (1, 2, 3, 7, len(stream)):
        decoder = SSEDecoder()
        events = []
        for start in range(0, len(stream), size):
            events.extend(decoder.feed(stream[start : start + size]))
        assert [(e.event, e.data) for e in events] == [("a", "1"), ("", "2"), ("done", "[DONE]")]
        assert not decoder.pending


def test_multibyte_characters_split_across_chunks() -> None:
    raw = "data: héllo ✓\n\n".encode()
    decoder = SSEDecoder()
    events = [e for i in range(len(raw)) for e in decoder.feed(raw[i : i + 1])]
    assert [e.data for e in events] == ["héllo ✓"]


def test_unterminated_tail_is_pending_then_flushed() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: done\ndata: [DONE]") == []
    assert decoder.pending
    tail = decoder.flush()
    assert tail is not None and (tail.event, tail.data) == ("done", "[DONE]")


def test_an_endless_line_is_stopped_at_the_cap() -> None:
    decoder = SSEDecoder(max_line_chars=1000)
    decoder.feed(b"data: " + b"x" * 900)
    with pytest.raises(SSELimitError, match="longer than 1000 characters"):
        decoder.feed(b"x" * 200)


def test_an_endless_event_is_stopped_at_the_cap() -> None:
    decoder = SSEDecoder(max_event_chars=100)
    with pytest.raises(SSELimitError, match="event larger than 100 characters"):
        for _ in range(20):
            decoder.feed(b"data: 0123456789\n")


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"])), max_size=5))
def test_encode_then_decode_round_trips(datas: list[str]) -> None:
    text = "".join(encode_event(f"e{i}", d) for i, d in enumerate(datas))
    normalised = [d.replace("\r\n", "\n").replace("\r", "\n") for d in datas]
    decoded = [(e.event, e.data) for e in decode_all(text)]
    assert decoded == [(f"e{i}", d) for i, d in enumerate(normalised)]
