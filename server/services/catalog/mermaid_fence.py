"""Fenced ``mermaid`` blocks become ``<pre class="mermaid">`` holding their escaped source.

The browser draws them as diagrams (inside a sandboxed frame) or, when diagrams are off,
leaves them as readable code. Every other fenced block is left to ``fenced_code``.
"""

from __future__ import annotations

import html

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.preprocessors import Preprocessor

LANGUAGE = "mermaid"
# Before fenced_code (25), which would otherwise highlight the block as plain text.
PRIORITY = 26


class MermaidPreprocessor(Preprocessor):
    """Stash each fenced ``mermaid`` block as a ``<pre class="mermaid">`` element."""

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with each mermaid fence replaced by an HTML placeholder."""
        text = "\n".join(lines)
        index = 0
        while match := FencedBlockPreprocessor.FENCED_BLOCK_RE.search(text, index):
            if match.group("lang") != LANGUAGE:
                # Another language's block (possibly quoting a mermaid fence): left whole.
                index = match.end()
                continue
            source = html.escape(match.group("code").rstrip("\n"), quote=False)
            placeholder = self.md.htmlStash.store(f'<pre class="{LANGUAGE}">{source}</pre>')
            text = f"{text[: match.start()]}\n{placeholder}\n{text[match.end() :]}"
            index = match.start() + 1 + len(placeholder)
        return text.split("\n")


class MermaidExtension(Extension):
    """Register :class:`MermaidPreprocessor` ahead of ``fenced_code``."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        """Add the preprocessor to ``md``."""
        md.preprocessors.register(MermaidPreprocessor(md), "mermaid_fence", PRIORITY)
