"""The certificate as a PDF: bilingual (Chinese first, English second), with the verification URL
printed and as a QR code. Pure: takes plain data, returns bytes; storing and sending live in the
services."""

import io
from dataclasses import dataclass
from datetime import date

import qrcode
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader

from home.pdf import finish, new_canvas

INK = (0.12, 0.16, 0.2)
BRAND = (0.04, 0.24, 0.42)
MUTED = (0.32, 0.38, 0.43)


@dataclass(frozen=True)
class CertificateDocument:
    number: str
    holder_name: str
    course_title_zh: str
    course_title_en: str
    product_line_zh: str
    product_line_en: str
    class_date: date
    issued_on: date
    expires_on: date | None
    verify_url: str
    revoked: bool = False
    issuer: str = ""
    signatory: str = ""


def qr_png(data: str) -> bytes:
    """A PNG of a QR code for ``data`` (medium error correction, quiet zone of four modules)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def _centred(pdf, font, size, y, text, colour=INK):
    pdf.setFillColorRGB(*colour)
    pdf.setFont(font, size)
    pdf.drawCentredString(pdf._pagesize[0] / 2, y, text)


def _revoked_mark(pdf, font, width, height):
    """A red diagonal stamp across the page: the certificate is no longer valid."""
    pdf.saveState()
    pdf.setFillAlpha(0.85)
    pdf.setFillColorRGB(0.75, 0.08, 0.08)
    pdf.setStrokeColorRGB(0.75, 0.08, 0.08)
    pdf.translate(width / 2, height / 2)
    pdf.rotate(20)
    pdf.setLineWidth(4)
    pdf.rect(-230, -50, 460, 110)
    pdf.setFont(font, 54)
    pdf.drawCentredString(0, 5, "已撤销 REVOKED")
    pdf.setFont(font, 14)
    pdf.drawCentredString(0, -35, "本证书已失效 / This certificate is no longer valid")
    pdf.restoreState()


def certificate_pdf(doc: CertificateDocument) -> bytes:
    """Render one certificate on a landscape A4 page."""
    pdf, buffer, font = new_canvas(pagesize=landscape(A4), title=f"{doc.number} {doc.course_title_zh}")
    pdf.setAuthor("Care & Journal")
    pdf.setSubject(doc.verify_url)
    width, height = landscape(A4)

    pdf.setStrokeColorRGB(*BRAND)
    pdf.setLineWidth(3)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(0.8)
    pdf.rect(32, 32, width - 64, height - 64)

    _centred(pdf, font, 30, height - 100, "培训认证证书", BRAND)
    _centred(pdf, font, 16, height - 126, "Certificate of Training", BRAND)

    _centred(pdf, font, 12, height - 170, "兹证明 / This is to certify that", MUTED)
    _centred(pdf, font, 28, height - 210, doc.holder_name)
    _centred(pdf, font, 12, height - 240, "已参加并通过以下课程的培训与考核 / has attended and passed the course", MUTED)
    _centred(pdf, font, 20, height - 275, doc.course_title_zh)
    if doc.course_title_en and doc.course_title_en != doc.course_title_zh:
        _centred(pdf, font, 14, height - 297, doc.course_title_en)
    if doc.product_line_zh or doc.product_line_en:
        _centred(pdf, font, 12, height - 320, f"产品线 / Product line: {doc.product_line_zh} / {doc.product_line_en}", MUTED)

    pdf.setFillColorRGB(*INK)
    pdf.setFont(font, 11)
    left = 70
    lines = [
        f"证书编号 / Certificate number: {doc.number}",
        f"培训日期 / Class date: {doc.class_date.isoformat()}",
        f"发证日期 / Issued on: {doc.issued_on.isoformat()}",
        f"有效期至 / Valid until: {doc.expires_on.isoformat() if doc.expires_on else '长期有效 / No expiry'}",
    ]
    if doc.issuer:
        lines.append(f"签发机构 / Issued by: {doc.issuer}")
    if doc.revoked:
        lines.append("已撤销 / REVOKED")
    for index, line in enumerate(lines):
        pdf.drawString(left, 168 - index * 18, line)

    # The signature line, with the name of who signs for the issuer beneath it.
    sign_left, sign_right = width - 370, width - 210  # between the details and the QR code
    pdf.setStrokeColorRGB(*INK)
    pdf.setLineWidth(0.8)
    pdf.line(sign_left, 112, sign_right, 112)
    pdf.setFont(font, 9)
    pdf.setFillColorRGB(*MUTED)
    pdf.drawString(sign_left, 100, "授权签字 / Authorised signature")
    if doc.signatory:
        pdf.setFillColorRGB(*INK)
        pdf.setFont(font, 11)
        pdf.drawString(sign_left, 84, doc.signatory)

    if doc.revoked:
        _revoked_mark(pdf, font, width, height)

    pdf.setFont(font, 9)
    pdf.setFillColorRGB(*MUTED)
    pdf.drawString(left, 62, "扫描二维码或访问以下网址验证本证书 / Scan the code or visit this address to verify:")
    pdf.setFillColorRGB(*BRAND)
    pdf.drawString(left, 48, doc.verify_url)
    pdf.linkURL(doc.verify_url, (left, 44, left + 420, 58), relative=0)

    size = 120
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(doc.verify_url))), width - 70 - size, 52, size, size)
    return finish(pdf, buffer)
