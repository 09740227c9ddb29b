"""The only way a rendered document reaches anything outside itself: a deny-by-default URL
fetcher that serves the application's own packaged assets (its stylesheet and fonts) by
name, under its own scheme, and refuses everything else: http(s), file (any path), data,
ftp, redirects. Every WeasyPrint object (``HTML``, each ``CSS``) is given this fetcher.
"""

from __future__ import annotations

import mimetypes
from importlib.resources import files
from pathlib import Path
from typing import Any

from weasyprint.urls import URLFetcher, URLFetcherResponse

SCHEME = "offerwright-asset"
_FONTS = Path(str(files("font_source_sans_pro"))) / "files"
_ASSETS = Path(__file__).parent / "assets"

# name (as written after "offerwright-asset:") -> file: an allow-list, not a directory.
ASSETS: dict[str, Path] = {
    "proposal.css": _ASSETS / "proposal.css",
    **{
        f"fonts/{name}": _FONTS / name
        for name in (
            "SourceSansPro-Regular.ttf",
            "SourceSansPro-It.ttf",
            "SourceSansPro-Semibold.ttf",
        )
    },
}


class AssetFetcher(URLFetcher):  # type: ignore[misc]  # untyped in WeasyPrint
    """Serves ``offerwright-asset:<name>`` from ``ASSETS``; refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(SCHEME,), allow_redirects=False)
        self.refused: list[str] = []  # what a document asked for and did not get

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        prefix = f"{SCHEME}:"
        path = ASSETS.get(url[len(prefix) :].lstrip("/")) if url.startswith(prefix) else None
        if path is None:
            self.refused.append(url)
            raise ValueError(f"not a packaged asset: {url[:200]}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".ttf":
            mime = "font/ttf"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
