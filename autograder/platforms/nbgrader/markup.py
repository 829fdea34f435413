"""Student-controlled markup made inert in the notebooks nbgrader writes and renders.

A submission's markdown and raw cells, outputs and attachments are rendered as HTML in the
instructor's browser (the formgrader shows autograded notebooks, on the Jupyter server's
origin) and in the student's (the feedback page). nbconvert passes HTML in markdown
through, renders ``[x](javascript:...)`` as a live link and raw HTML cells verbatim, and
nbgrader enables no sanitising. `SanitizeMarkup` (in autograde, after grading, and again
in generate_feedback) leaves the course's own markdown as it is and rewrites the rest:

- a markdown cell the course did not write is rendered to HTML as nbconvert renders it,
  cleaned by nh3 (the Ammonia sanitiser: no script, no event handler, no ``javascript:``
  URL, no style, no form), and kept as one line of that HTML, which renders as it stands;
  its attachments are embedded as ``data:`` images (PNG, JPEG or GIF only), each once per cell and
  within a room per notebook, and removed; a cell whose HTML would outgrow its text many times
  over is shown as its text (see `rendering`);
- a raw cell's text is cleaned the same way (nbconvert copies HTML raw cells verbatim);
- outputs keep only plain text, PNG, JPEG and GIF images and LaTeX; HTML is cleaned,
  markdown rendered and cleaned, and every other type (JavaScript, SVG, widgets) dropped;
- a cell id that is not an nbformat id is replaced.
"""

from __future__ import annotations

import functools
import re
import uuid

import nh3
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List

from autograder.course.notebook import read_cells
from autograder.course.paths import ASSIGNMENT, RELEASE_DIR
from autograder.platforms.nbgrader.rendering import IMAGE_TYPES, ImageRoom, render_markdown


KEPT_OUTPUT_TYPES = ("text/plain", "text/latex", *IMAGE_TYPES)
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$")
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_URL_SCHEMES = {"http", "https", "mailto", "data"}  # data: survives only as an image's src (see _attribute)


def _attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: images only from embedded attachments, and data: URLs only there."""
    if element == "img" and attribute == "src":
        return value if _DATA_IMAGE.match(value) else None
    if value.strip().lower().startswith("data:"):
        return None
    return value


def clean_html(html: str) -> str:
    """`html` with everything that could run or restyle the page removed (nh3's defaults, tightened)."""
    return nh3.clean(html, url_schemes=_URL_SCHEMES, attribute_filter=_attribute,
                     clean_content_tags={"script", "style"})


def safe_markdown(source: str, attachments: dict | None = None, images: ImageRoom | None = None) -> str:
    """Markdown that renders as `source` rendered (see `rendering`: `images` is the notebook's room for attachments)
    and cleaned: one line of clean HTML (a raw HTML block)."""
    html = clean_html(render_markdown(source, attachments, images)).strip().replace("\r", "").replace("\n", "&#10;")
    return html if html.startswith("<div>") and html.endswith("</div>") else f"<div>{html}</div>"


@functools.cache
def course_markdown() -> frozenset[str]:
    """The sources of the markdown cells the course itself released: they are shown as written."""
    return frozenset(c["source"] for c in read_cells(RELEASE_DIR / f"{ASSIGNMENT}.ipynb") if c.get("cell_type") == "markdown")


def safe_outputs(outputs: list) -> list:
    """Outputs with only inert types left: text, raster images, LaTeX; HTML and markdown cleaned."""
    kept = []
    for output in outputs:
        if output.get("output_type") in ("stream", "error"):
            kept.append(output)  # text: every template escapes it
            continue
        data = output.get("data", {})
        if "text/html" in data:
            data["text/html"] = clean_html(_text(data["text/html"]))
        if "text/markdown" in data:
            data["text/html"] = clean_html(render_markdown(_text(data.pop("text/markdown"))))
        for key in [k for k in data if k not in (*KEPT_OUTPUT_TYPES, "text/html")]:
            del data[key]
        kept.append(output)
    return kept


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class SanitizeMarkup(NbGraderPreprocessor):
    """Make every cell's markup inert unless it is the course's own (see the module's docstring)."""

    # the HTML exporter hands its display_data_priority to every preprocessor of generate_feedback; accepting it
    # keeps nbgrader from logging "Config option `display_data_priority` not recognized" for every notebook
    display_data_priority = List().tag(config=True)  # unused here

    def preprocess(self, nb, resources):
        self.images = ImageRoom()  # the notebook's room for embedded attachments, shared by its cells
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if "id" in cell and not _CELL_ID.match(str(cell.id)):
            cell.id = uuid.uuid4().hex[:8]
        if cell.cell_type == "markdown":
            if cell.source not in course_markdown() or cell.get("attachments"):
                cell.source = safe_markdown(cell.source, cell.get("attachments"), self.images)
                cell.pop("attachments", None)
        elif cell.cell_type == "raw":
            cell.source = clean_html(cell.source)
            cell.pop("attachments", None)
        elif cell.cell_type == "code":
            cell.outputs = safe_outputs(cell.get("outputs", []))
        return cell, resources
