"""Printable PDFs of care: thank-you letters and key-account monthly service reports.

Drawn on ``home.pdf``'s canvas with its embedded CJK font, so Chinese names print and extract.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from home.pdf import finish, new_canvas

MARGIN = 20 * mm
WIDTH, HEIGHT = A4


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines that fit ``width``: at spaces for Latin text, anywhere between CJK characters."""
    lines = []
    for paragraph in (text or "").split("\n"):
        line = ""
        for token in _tokens(paragraph):
            candidate = line + token
            if line and stringWidth(candidate.rstrip(), font, size) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = candidate
        lines.append(line.rstrip())
    return lines


def _tokens(paragraph: str):
    word = ""
    for ch in paragraph:
        if ord(ch) > 0x2E80:
            if word:
                yield word
                word = ""
            yield ch
        elif ch == " ":
            yield word + " "
            word = ""
        else:
            word += ch
    if word:
        yield word


class _Writer:
    def __init__(self, title):
        self.pdf, self.buffer, self.font = new_canvas(title=title)
        self.y = HEIGHT - MARGIN

    def text(self, text, size=11, gap=4, indent=0):
        for line in wrap(text, self.font, size, WIDTH - 2 * MARGIN - indent):
            if self.y < MARGIN + size:
                self.pdf.showPage()
                self.y = HEIGHT - MARGIN
            self.pdf.setFont(self.font, size)
            self.pdf.drawString(MARGIN + indent, self.y - size, line)
            self.y -= size + gap

    def space(self, amount=6):
        self.y -= amount

    def done(self):
        return finish(self.pdf, self.buffer)


def letter_pdf(recipient) -> bytes:
    """The recipient's thank-you letter as an A4 page for postal mail (in their language)."""
    with override(recipient.language):
        writer = _Writer(recipient.letter_subject)
        writer.text(_("Care & Journal"), size=10)
        writer.space(18)
        lines = [recipient.ship_name or recipient.person.name]
        if recipient.ship_address:
            lines += recipient.ship_address.splitlines()
        if recipient.ship_postcode:
            lines.append(recipient.ship_postcode)
        for line in lines:
            writer.text(line, size=11, gap=2)
        writer.space(18)
        writer.text(f"{timezone.localdate():%Y-%m-%d}", size=10)
        writer.space(12)
        writer.text(recipient.letter_subject, size=15, gap=8)
        writer.space(6)
        writer.text(recipient.letter_body, size=11, gap=5)
        return writer.done()


def key_account_report_pdf(figures: dict) -> bytes:
    """A key account's monthly service report (language: the active one)."""
    writer = _Writer(_("Service report %(month)s") % {"month": figures["month"]})
    writer.text(_("Monthly service report"), size=16, gap=8)
    writer.text(f"{figures['organisation']} · {figures['month']}", size=12, gap=10)

    calls = figures["calls"]
    writer.text(_("Calls"), size=13, gap=6)
    writer.text(_("Calls made: %(made)s, of which completed: %(completed)s; calls planned: %(open)s") % calls)
    writer.space()

    complaints = figures["complaints"]
    writer.text(_("Complaints and suggestions"), size=13, gap=6)
    writer.text(_("Received: %(received)s; resolved: %(resolved)s") % complaints)
    if complaints["resolve_hours_average"] is not None:
        writer.text(_("Average time to resolve: %(hours)s hours") % {"hours": complaints["resolve_hours_average"]})
    for item in complaints["items"]:
        hours = "" if item["resolve_hours"] is None else " · " + _("%(hours)s h") % {"hours": item["resolve_hours"]}
        writer.text(f"{item['date']}  {item['reference']}  {item['kind']}: {item['summary']} ({item['state']}){hours}",
                    size=10, indent=12)
    writer.space()

    writer.text(_("Training and certificates"), size=13, gap=6)
    training = figures.get("training")
    if not training:
        writer.text(_("No training figures available."))
    else:
        writer.text(_("Valid certificates: %(valid_certificates)s; issued this month: %(issued_this_month)s")
                    % training)
        for cert in training["certificates"]:
            until = f" · {_('valid until')} {cert['expires_on']}" if cert["expires_on"] else ""
            writer.text(f"{cert['holder']} · {cert['course']} · {cert['number']}{until}", size=10, indent=12)
    writer.space()

    satisfaction = figures["satisfaction"]
    writer.text(_("Satisfaction"), size=13, gap=6)
    if satisfaction["ratings"]:
        writer.text(_("Ratings: %(ratings)s; average %(average)s / 5; satisfied (4-5): %(csat)s%%") % satisfaction)
    else:
        writer.text(_("No ratings this month."))
    return writer.done()


def complaint_week_pdf(figures: dict) -> bytes:
    """The weekly complaint analysis (language: the active one)."""
    title = _("Complaints %(start)s – %(end)s") % {"start": figures["week_start"], "end": figures["week_end"]}
    writer = _Writer(title)
    writer.text(_("Weekly complaint analysis"), size=16, gap=8)
    writer.text(f"{figures['week_label']} · {figures['week_start']} – {figures['week_end']}", size=12, gap=10)
    writer.text(_("Received: %(received)s (complaints %(complaints)s, suggestions %(suggestions)s); resolved: "
                  "%(resolved)s; open at week end: %(open)s; overdue at week end: %(overdue)s")
                % {**figures, "overdue": len(figures["overdue"])})
    writer.space()
    for heading, key in ((_("By category"), "by_category"), (_("By product line"), "by_product_line")):
        writer.text(heading, size=13, gap=6)
        for row in figures[key] or [{"label": "–", "count": 0}]:
            writer.text(f"{row['label']}: {row['count']}", size=10, indent=12)
        writer.space()

    writer.text(_("Trend"), size=13, gap=6)
    writer.text(" · ".join([_("Week"), _("Received"), _("Resolved"), _("Open at week end"), _("Overdue at week end")]),
                size=10, indent=12)
    for week in figures["trend"]:
        writer.text(f"{week['label']} · {week['received']} · {week['resolved']} · {week['open']} · {week['overdue']}",
                    size=10, indent=12)
    writer.space()

    for heading, rows in ((_("The week's complaints"), figures["items"]),
                          (_("Overdue at week end"), figures["overdue"])):
        writer.text(heading, size=13, gap=6)
        if not rows:
            writer.text(_("None."), size=10, indent=12)
        for row in rows:
            product = f" · {row['product_line']}" if row["product_line"] else ""
            writer.text(f"{row['reference']} · {row['received_at']} · {row['customer']} · {row['category']}{product} · "
                        f"{row['priority']} · {row['state']} · {row['sla_label']}", size=10, indent=12)
            writer.text(row["summary"], size=9, indent=24, gap=6)
        writer.space()
    return writer.done()
