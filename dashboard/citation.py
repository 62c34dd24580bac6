"""Citations of a view: the permanent URL, APA text, BibTeX and RIS (issue 15, "Cite this view").

A figure on this site depends on the day it is counted for and on the data behind it, so every
citation carries both: the view's URL always states `as_of`, and the data version (which changes
with any record) and the access date say which data was seen.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

PUBLISHER = "AEO Registry"


@dataclass(frozen=True, slots=True)
class Citation:
    title: str
    url: str
    data_version: str
    accessed: dt.date
    key: str  # a BibTeX key: letters, digits, '-' and '_' only

    @property
    def year(self) -> int:
        return self.accessed.year

    def apa(self, retrieved: str) -> str:
        """APA 7 for a data set whose content changes: author, year, title, version, retrieval.
        `retrieved` is the access date as the page's language writes it."""
        return (
            f"{PUBLISHER}. ({self.year}). {self.title} (Data version {self.data_version}) [Data set]. "
            f"Retrieved {retrieved}, from {self.url}"
        )

    def bibtex(self) -> str:
        fields = {
            "author": f"{{{PUBLISHER}}}",
            "title": f"{{{_bibtex_text(self.title)}}}",
            "year": str(self.year),
            "publisher": PUBLISHER,
            "version": self.data_version,
            "url": self.url,
            "urldate": self.accessed.isoformat(),
            "note": f"Data version {self.data_version}, accessed {self.accessed.isoformat()}",
        }
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        return f"@misc{{{self.key},\n{body}\n}}\n"

    def ris(self) -> str:
        day = self.accessed.strftime("%Y/%m/%d")
        lines = [
            ("TY", "DATA"),
            ("AU", PUBLISHER),
            ("TI", _one_line(self.title)),
            ("PY", str(self.year)),
            ("PB", PUBLISHER),
            ("ET", f"Data version {self.data_version}"),
            ("UR", self.url),
            ("Y2", day),
            ("N1", f"Data version {self.data_version}, accessed {self.accessed.isoformat()}"),
            ("ER", ""),
        ]
        return "".join(f"{tag}  - {value}".rstrip() + "\n" for tag, value in lines)


def bibtex_key(*parts: object) -> str:
    """`aeo-registry-CHN-2021-08-31`: the parts, with every character BibTeX keys cannot hold dropped."""
    raw = "-".join(["aeo-registry", *(str(p) for p in parts if p not in (None, ""))])
    return re.sub(r"[^A-Za-z0-9_-]+", "", raw)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _bibtex_text(text: str) -> str:
    """Text inside a braced BibTeX field: unbalanced braces and backslashes would end or break it,
    and LaTeX reads %, &, #, $, _, ~ and ^ as commands."""
    text = _one_line(text).replace("\\", "").replace("{", "").replace("}", "")
    return re.sub(r"([%&#$_])", r"\\\1", text).replace("~", r"\textasciitilde{}").replace("^", r"\^{}")
