"""A run as a PDF: the facts, the parameters (secrets already masked) and the output.

fpdf2 draws it with the shipped DejaVu fonts, which hold the accents of every language
the app speaks; stderr lines are marked and coloured, debug lines greyed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from server.resources import resource_path
from server.services.reports.facts import Brand, RunFacts

FONTS = "assets/vendor/dejavu-fonts-2.37"
logging.getLogger("fontTools").setLevel(logging.WARNING)  # its font subsetting is chatty
STDERR, DEBUG = "[stderr] ", "[debug] "
RED, GREY, INK = (176, 0, 32), (110, 110, 110), (33, 37, 41)


class _Document(FPDF):
    def __init__(self, brand: Brand, heading: str, page_word: Callable[[int], str]) -> None:
        super().__init__(format="A4")
        self._brand, self._heading, self._page_word = brand, heading, page_word
        folder = resource_path(FONTS)
        self.add_font("Sans", "", folder / "DejaVuSans.ttf")
        self.add_font("Sans", "B", folder / "DejaVuSans-Bold.ttf")
        self.add_font("Mono", "", folder / "DejaVuSansMono.ttf")
        self.set_auto_page_break(auto=True, margin=16)

    def header(self) -> None:
        if self._brand.logo and self._brand.logo.is_file():
            self.image(str(self._brand.logo), x=self.l_margin, y=8, h=9)
        self.set_font("Sans", "B", 10)
        self.set_text_color(*INK)
        self.set_xy(self.l_margin, 9)
        self.cell(0, 7, f"{self._brand.name} · {self._heading}", align="R")
        self.line(self.l_margin, 19, self.w - self.r_margin, 19)
        self.set_y(23)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Sans", "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self._page_word(self.page_no())} / {{nb}}", align="C")


def render_run_pdf(facts: RunFacts, brand: Brand) -> bytes:
    """Return the report as PDF bytes."""
    words = facts.words
    pdf = _Document(brand, words["heading"], lambda n: words["page"].format(page=n))
    pdf.set_title(f"{words['heading']}: {facts.title}")
    pdf.set_author(brand.name)
    pdf.add_page()
    pdf.set_font("Sans", "B", 15)
    pdf.multi_cell(0, 8, facts.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _table(pdf, facts.rows)
    _section(pdf, words["parameters"])
    _table(pdf, facts.parameters or [(words["none"], "")])
    _section(pdf, words["output"])
    _output(pdf, facts)
    return bytes(pdf.output())


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(4)
    pdf.set_font("Sans", "B", 12)
    pdf.set_text_color(*INK)
    pdf.cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    pdf.set_font("Sans", "", 9)
    pdf.set_text_color(*INK)
    with pdf.table(col_widths=(35, 95), first_row_as_headings=False, line_height=5) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label)
            row.cell(value)


def _output(pdf: FPDF, facts: RunFacts) -> None:
    excerpt = facts.excerpt
    _lines(pdf, excerpt.head)
    if excerpt.omitted:
        pdf.ln(1)
        pdf.set_font("Sans", "B", 9)
        pdf.set_text_color(*RED)
        pdf.multi_cell(0, 5, facts.omitted_note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        _lines(pdf, excerpt.tail)


def _lines(pdf: FPDF, lines: list[str]) -> None:
    pdf.set_font("Mono", "", 7)
    for line in lines:
        colour = INK
        if line.startswith(STDERR):
            colour = RED
        elif line.startswith(DEBUG):
            colour = GREY
        pdf.set_text_color(*colour)
        pdf.multi_cell(0, 3.4, line or " ", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
