"""What a run's record leaves out of a long output still reaches full-text search."""

from __future__ import annotations

from server.services.execution.capture import BoundedText
from server.services.execution.search_terms import SearchTerms


def lines(start: int, count: int, word: str = "reading") -> bytes:
    return b"".join(f"{word} sensor {n} value={n * 7}\n".encode() for n in range(start, count))


def test_the_middle_is_cut_at_line_ends_and_its_words_are_kept():
    terms = SearchTerms()
    kept = BoundedText(4000, terms)
    needle = b"the needle is ferrocene \xc3\xa9tal\xc3\xa9e 12345\n"
    for part in (lines(0, 100), needle, lines(100, 400)):
        kept.add(part)
    text = kept.text()
    head, rest = text.split("\n… ", 1)
    tail = rest.split("…\n", 1)[1]
    assert head.endswith("\n") and tail.startswith("reading sensor")  # whole lines
    added = len(lines(0, 100)) + len(needle) + len(lines(100, 400))
    assert len(head.encode()) + kept.dropped + len(tail.encode()) == added
    assert "ferrocene" not in text  # the middle is left out of the record ...
    words = terms.text().split()
    assert {"ferrocene", "étalée", "needle", "reading", "sensor", "value"} <= set(words)
    assert "12345" not in words  # ... and only its words are search terms


def test_repeated_lines_are_split_once_and_the_terms_are_bounded():
    terms = SearchTerms(limit=50)
    terms.add(lines(0, 10_000))
    assert terms.complete and terms.text().split() == ["reading", "sensor", "value"]
    terms.add(b"".join(f"word{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}\n".encode()
                       for n in range(200)))  # fmt: skip
    assert not terms.complete
    count = len(terms.text().split())
    terms.add(b"ignored afterwards\n")
    assert "afterwards" not in terms.text() and len(terms.text().split()) == count


def test_a_short_output_has_no_search_terms():
    terms = SearchTerms()
    kept = BoundedText(4000, terms)
    kept.add(lines(0, 10))
    assert terms.text() == "" and kept.dropped == 0
