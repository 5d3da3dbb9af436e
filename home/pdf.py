"""PDF rendering with a font that carries Chinese, embedded so that any reader shows the names.

The renderer sits behind a tiny interface: ``pdf_document()`` gives a ReportLab canvas-based
document with the CJK font registered as ``CJK``.
"""

import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
]
FONT = "CJK"


def register_cjk_font() -> str:
    """Register and return the name of a font with Chinese glyphs (embedded TTF if the system has
    one, else ReportLab's built-in STSong-Light CID font)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    for path in FONT_CANDIDATES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
            return FONT
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdfmetrics.registerFontFamily(FONT, normal="STSong-Light")
    return "STSong-Light"


def new_canvas(pagesize=A4, title: str = ""):
    """A canvas writing into memory; call ``finish(canvas, buffer)`` for the bytes."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=pagesize)
    pdf.setTitle(title)
    return pdf, buffer, register_cjk_font()


def finish(pdf, buffer) -> bytes:
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
