"""Student markdown rendered to HTML as nbconvert renders it, in room proportional to what the student wrote.

nbconvert embeds an ``attachment:`` image as a ``data:`` URL at every reference to it, and
repeats a reference link's URL at every use: a notebook of 1 MB with one attachment referenced
200 times became a 200 MB autograded notebook and feedback page. Here each attachment of a
cell is embedded once (a later reference says so in its place), the images embedded in a
notebook share `IMAGE_ROOM`, and the rest of a cell's HTML may take `GROWTH` times its text plus
`FLOOR`: a cell that would take more is shown as its text, with a line saying why.
"""

from __future__ import annotations

import html
from typing import Any

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath


IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
IMAGE_ROOM = 20 * 2**20  # characters of embedded images (base64) per notebook
GROWTH = 16  # a cell's HTML, images apart, may take this many times its markdown's characters ...
FLOOR = 64 * 2**10  # ... plus this many
_ATTACHMENT = "attachment:"


class ImageRoom:
    """What is left of a notebook's room for embedded images (`IMAGE_ROOM` characters to start with)."""

    def __init__(self, left: int = IMAGE_ROOM):
        self.left = left


class _TooLarge(Exception):
    """The rendering has outgrown its room; the cell is shown as its text."""


class _BoundedRenderer(IPythonRenderer):
    """nbconvert's renderer, embedding each attachment once within `images`, and stopping (`_TooLarge`) once links'
    and images' URLs, which a reference link repeats at every use, outgrow `room`."""

    def __init__(self, attachments: dict, images: ImageRoom, room: int):
        super().__init__(escape=False, attachments=attachments, exclude_anchor_links=True)
        self.images, self.room = images, room
        self.embedded: set[str] = set()
        self.embedded_size = 0

    def _spend(self, *texts: Any) -> None:
        self.room -= sum(len(t) for t in texts if isinstance(t, str))
        if self.room < 0:
            raise _TooLarge

    def link(self, text: str, url: str, title: str | None = None) -> str:
        self._spend(url, title)
        return super().link(text, url, title)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        self._spend(title)
        if not url.startswith(_ATTACHMENT):
            self._spend(url)
            return super().image(text, url, title)
        name = url[len(_ATTACHMENT):]
        if name in self.embedded:
            return _note(f"(the image {name} again: it is shown once, above)")
        data = self._embed_image_or_attachment(url)  # a name the cell does not have raises: the cell becomes text
        if len(data) > self.images.left:
            return _note(f"(the image {name} is not shown: a notebook's images are shown up to "
                         f"{IMAGE_ROOM / 2**20:g} MB, and this notebook's earlier images took that room)")
        self.images.left -= len(data)
        self.embedded.add(name)
        self.embedded_size += len(data)
        return super().image(text, data, title)


def _note(text: str) -> str:
    return f"<em>{html.escape(text)}</em>"


def as_text(source: str, why: str = "") -> str:
    """`source` shown as its text, after a line saying `why` if given."""
    return (f"<p>{_note(why)}</p>" if why else "") + f"<pre>{html.escape(source)}</pre>"


def render_markdown(source: str, attachments: dict | None = None, images: ImageRoom | None = None) -> str:
    """`source` as nbconvert's HTML exporters render it, each attachment embedded once as a data: URL (within
    `images`, the notebook's room for them), or as its text where the HTML would outgrow `GROWTH` times it."""
    bundles = {}  # every name keeps a bundle, so a reference to it renders; one with no image becomes a dropped src
    for name, bundle in (attachments or {}).items():
        kept = {k: v for k, v in bundle.items() if k in IMAGE_TYPES} if isinstance(bundle, dict) else {}
        bundles[name] = kept or {"text/plain": ""}
    room = GROWTH * len(source) + FLOOR
    renderer = _BoundedRenderer(bundles, images if images is not None else ImageRoom(), room)
    try:
        rendered = MarkdownWithMath(renderer=renderer).render(source)
    except _TooLarge:
        rendered = None
        renderer.images.left += renderer.embedded_size  # none of this cell's images is shown after all
    except Exception:  # noqa: BLE001 - a cell the renderer cannot take is shown as its text
        return as_text(source)
    if rendered is None or len(rendered) - renderer.embedded_size > room:
        return as_text(source, f"This cell is shown as its text: rendered, it would take more than {GROWTH} times "
                               "its size.")
    return rendered
