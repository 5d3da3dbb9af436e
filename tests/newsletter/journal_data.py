"""Admin form data for a journal issue with every section type (as the page editor posts it)."""

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

SECTION_HEADINGS = {
    "article": "Article heading A1",
    "product_knowledge": "Knowledge heading K1",
    "technical_note": "Technical heading T1",
    "company_news": "News heading N1",
    "image": "Image heading I1",
    "call_to_action": "Action heading C1",
    "helpful": "Helpful question H1?",
    "poll": "Poll question P1?",
    "reply_prompt": "Reply heading R1",
}


def _list(values):
    data = {str(i): {"value": v, "deleted": "", "order": str(i), "id": ""} for i, v in enumerate(values)}
    data["count"] = str(len(values))
    return data


def issue_sections(*, product_line_id: int, image_id: int, alt: str = "A chart of results") -> list:
    h = SECTION_HEADINGS
    return [
        ("article", {"heading": h["article"], "body": rich_text("<p>Article text.</p>")}),
        ("product_knowledge", {"heading": h["product_knowledge"], "product_line": product_line_id,
                               "body": rich_text("<p>Knowledge text.</p>"), "tip": "A tip"}),
        ("technical_note", {"heading": h["technical_note"], "product_line": product_line_id, "applies_to": "SG-1",
                            "body": rich_text("<p>Note text.</p>")}),
        ("company_news", {"heading": h["company_news"], "date": "2027-01-05", "body": rich_text("<p>News.</p>")}),
        ("image", {"heading": h["image"], "image": image_id, "alt": alt, "caption": "Caption"}),
        ("call_to_action", {"heading": h["call_to_action"], "text": "Go", "button_label": "Go now",
                            "url": "https://example.com/go"}),
        ("helpful", {"heading": h["helpful"]}),
        ("poll", {"heading": h["poll"], "options": _list(["Red", "Blue"])}),
        ("reply_prompt", {"heading": h["reply_prompt"], "text": "Write", "button_label": "Write to us"}),
    ]


def issue_form_data(*, title="January issue", slug="2027-01", number=43, date="2027-01-01", **sections) -> dict:
    return nested_form_data({
        "title": title, "slug": slug, "issue_number": number, "issue_date": date,
        "subject": "", "preheader": "The January preheader", "cover_image": "", "cover_alt": "",
        "body": streamfield(issue_sections(**sections)),
    })
