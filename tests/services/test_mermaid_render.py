"""Fenced mermaid blocks: a <pre class="mermaid"> holding the escaped source, nothing else."""

from __future__ import annotations

import html
import re

from server.services.catalog.markdown_render import render_markdown

FLOWCHART = 'flowchart LR\n  A["Start & go"] --> B{Is x < 3?}\n  B -->|yes| C[Done]'


def fenced(source: str, language: str = "mermaid", fence: str = "```") -> str:
    return f"# Flow\n\n{fence}{language}\n{source}\n{fence}\n\nAfter.\n"


def mermaid_blocks(rendered: str) -> list[str]:
    """Return the unescaped text of each <pre class="mermaid"> in the HTML."""
    found = re.findall(r'<pre class="mermaid">(.*?)</pre>', rendered, re.S)
    return [html.unescape(text) for text in found]


def test_a_mermaid_fence_becomes_a_pre_with_its_source_intact():
    rendered = render_markdown(fenced(FLOWCHART))
    assert mermaid_blocks(rendered) == [FLOWCHART]
    assert "<code" not in rendered.split('<pre class="mermaid">')[1].split("</pre>")[0]
    assert "<p>After.</p>" in rendered


def test_tilde_fences_work_too():
    assert mermaid_blocks(render_markdown(fenced(FLOWCHART, fence="~~~"))) == [FLOWCHART]


def test_markup_in_a_diagram_is_text_never_elements():
    source = 'flowchart TD\n  A["<img src=x onerror=alert(1)>"] --> B["<script>alert(2)</script>"]'
    rendered = render_markdown(fenced(source))
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in rendered
    assert mermaid_blocks(rendered) == [source]


def test_a_closing_pre_in_the_source_does_not_end_the_block():
    source = "graph TD\n  A[</pre><b>bold</b>] --> B"
    rendered = render_markdown(fenced(source))
    assert "<b>" not in rendered
    assert mermaid_blocks(rendered) == [source]


def test_other_code_blocks_are_unchanged():
    text = fenced("x = 1 < 2", language="python")
    rendered = render_markdown(text)
    assert 'class="mermaid"' not in rendered
    assert '<div class="highlight"><pre><span></span><code>' in rendered
    assert rendered == render_markdown(text)  # and stable


def test_a_mermaid_fence_quoted_inside_another_block_stays_code():
    text = fenced(fenced("graph TD\n  A --> B").strip(), language="markdown", fence="````")
    rendered = render_markdown(text)
    assert 'class="mermaid"' not in rendered
    assert "```mermaid" in html.unescape(rendered)


def test_math_signs_inside_a_diagram_are_left_alone():
    source = "graph LR\n  A[$x$ costs $$5] --> B"
    rendered = render_markdown(fenced(source))
    assert "arithmatex" not in rendered
    assert mermaid_blocks(rendered) == [source]


def test_several_diagrams_with_text_between():
    first, second = "graph TD\n  A --> B", "sequenceDiagram\n  A->>B: hi"
    text = fenced(first) + "\nMiddle.\n\n" + fenced(second)
    assert mermaid_blocks(render_markdown(text)) == [first, second]
