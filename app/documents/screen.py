"""The stylesheet of a document shown in a browser: the print stylesheet without its
@font-face rules (a browser may not fetch our fonts: the Content-Security-Policy of HTML
answers allows inline styles and nothing else, app/kit/security_headers.py), then the
screen's own rules (assets/screen.css). Read once per process."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from markupsafe import Markup

_ASSETS = Path(__file__).parent / "assets"
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


@functools.cache
def screen_style() -> Markup:
    printed = _FONT_FACE.sub("", (_ASSETS / "proposal.css").read_text(encoding="utf-8"))
    screen = (_ASSETS / "screen.css").read_text(encoding="utf-8")
    # Packaged CSS, never user text; a "</" could still end the <style> element early.
    return Markup((printed + "\n" + screen).replace("</", "<\\/"))
