"""Render the class report as one self-contained HTML page (figures as data URIs, no scripts, no links out).

Input is a list of Sections already anonymised by the caller: every string here is escaped
and shown as it is. Table rows carry their numbers as data-* attributes, so a reader (or a
test) can check the page against the results files without scraping prose.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field


@dataclass
class Table:
    """`rows`: (data attributes, cell texts); `id` names the table in the page."""

    id: str
    headers: list[str]
    rows: list[tuple[dict[str, str], list[str]]]
    empty: str = "nothing to show"
    message_column: int | None = None  # shown as preformatted text (messages keep their line breaks)


@dataclass
class Figure:
    name: str  # file stem of the PNG written beside the page
    alt: str
    png: bytes | None


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2rem; margin-top: 2.2rem; }
.meta { color: #555; margin-top: 0; }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dl.summary dt { font-weight: 600; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; width: 100%; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; white-space: nowrap; }
td.msg { font-family: ui-monospace, monospace; font-size: 0.8rem; white-space: pre-wrap; word-break: break-word; }
tr.group td { background: #fafafa; font-weight: 600; }
p.empty { color: #777; font-style: italic; }
"""


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' data-{html.escape(k)}="{html.escape(str(v))}"' for k, v in attrs.items())


def _cell(text: str, message: bool) -> str:
    kind = "msg" if message else ("num" if _numeric(text) else "")
    return f'<td class="{kind}">{html.escape(text)}</td>' if kind else f"<td>{html.escape(text)}</td>"


def _numeric(text: str) -> bool:
    return bool(text) and text.replace(".", "", 1).replace("%", "").replace(" s", "").replace("/", "").strip().isdigit()


def _table(table: Table) -> str:
    if not table.rows:
        return f'<p class="empty" id="{html.escape(table.id)}">{html.escape(table.empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = "\n".join(f"<tr{_attrs(attrs)}>" + "".join(_cell(c, i == table.message_column) for i, c in enumerate(cells))
                     + "</tr>" for attrs, cells in table.rows)
    return f'<table id="{html.escape(table.id)}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>'


def _figure(figure: Figure) -> str:
    if figure.png is None:
        return ""
    data = base64.b64encode(figure.png).decode("ascii")
    return (f'<figure id="figure-{html.escape(figure.name)}"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(figure.alt)}"></figure>')


def render(title: str, meta: str, summary: list[tuple[str, str, str]], sections: list[Section]) -> str:
    """The whole page. `summary`: (key, label, value) rows of the opening list; `meta` one line under the title."""
    items = "".join(f'<dt>{html.escape(label)}</dt><dd data-key="{html.escape(key)}">{html.escape(value)}</dd>'
                    for key, label, value in summary)
    toc = "".join(f'<li><a href="#{html.escape(s.id)}">{html.escape(s.title)}</a></li>' for s in sections)
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
             f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
             f"<h1>{html.escape(title)}</h1>\n<p class=\"meta\">{html.escape(meta)}</p>",
             f'<dl class="summary" id="summary">{items}</dl>', f"<nav><ol>{toc}</ol></nav>"]
    for section in sections:
        parts.append(f'<section id="{html.escape(section.id)}">\n<h2>{html.escape(section.title)}</h2>')
        if section.intro:
            parts.append(f"<p>{html.escape(section.intro)}</p>")
        parts += [_figure(f) for f in section.figures]
        parts += [_table(t) for t in section.tables]
        parts.append("</section>")
    parts.append("</body>\n</html>\n")
    return "\n".join(p for p in parts if p)
