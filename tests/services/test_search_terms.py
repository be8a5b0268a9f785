"""What a run's record leaves out of a long output still reaches full-text search."""

from __future__ import annotations

import random

from server.services.execution.capture import BoundedText
from server.services.execution.search_terms import SearchTerms, distinct_lines


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


def test_a_repeated_block_gives_the_same_lines_as_splitting():
    shapes = [b"", b"a", b"ab", b"step . loss .", b"epoch", b"ab c", b"\xc3\xa9t\xc3\xa9"]
    rng = random.Random(7)
    for _ in range(3000):
        block = [rng.choice(shapes) for _ in range(rng.randint(1, 4))]
        lines = block * rng.randint(1, 30)
        if rng.random() < 0.5:  # a different line somewhere, or the block cut short at the end
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(shapes) + b"x")
        else:
            lines = lines[: rng.randint(1, len(lines))]
        text = b"".join(line + b"\n" for line in lines)
        assert distinct_lines(text) == set(text.split(b"\n")), text
