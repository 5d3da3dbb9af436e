"""Sections of a journal issue. Each block renders three ways: the web page (``template``), the
email (``email_template``, MJML) and the plain-text part (``email_text_template``)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3"]


class SectionBlock(blocks.StructBlock):
    """Common base: a heading and the three renderings."""

    heading = blocks.CharBlock(label=_("heading"), max_length=120)

    interactive = False

    def _name(self):
        return self.meta.template.rsplit("/", 1)[-1].removesuffix(".html")

    def render_email(self, value, context=None):
        """The section as MJML (one or more <mj-section>)."""
        return render_to_string(f"newsletter/email/blocks/{self._name()}.mjml", {**(context or {}), "value": value})

    def render_text(self, value, context=None):
        """The section as plain text for the text part."""
        text = render_to_string(f"newsletter/email/blocks/{self._name()}.txt", {**(context or {}), "value": value})
        return "\n".join(line.rstrip() for line in text.strip().splitlines())


class ArticleBlock(SectionBlock):
    body = blocks.RichTextBlock(label=_("text"), features=RICH_FEATURES)

    class Meta:
        icon = "doc-full"
        label = _("Article")
        description = _("A feature article with a heading and text.")
        template = "newsletter/blocks/article.html"
        preview_value = {"heading": "Five habits of a healthy network", "body": "<p>Back up, patch, review.</p>"}


class ProductKnowledgeBlock(SectionBlock):
    product_line = SnippetChooserBlock("home.ProductLine", label=_("product line"), required=False)
    body = blocks.RichTextBlock(label=_("text"), features=RICH_FEATURES)
    tip = blocks.CharBlock(label=_("tip"), required=False, max_length=200)

    class Meta:
        icon = "help"
        label = _("Product knowledge")
        description = _("Explains a product feature, with an optional tip.")
        template = "newsletter/blocks/product_knowledge.html"
        preview_value = {"heading": "What a VPN tunnel does", "body": "<p>It encrypts traffic.</p>", "tip": "Renew keys yearly."}


class TechnicalNoteBlock(SectionBlock):
    product_line = SnippetChooserBlock("home.ProductLine", label=_("product line"))
    applies_to = blocks.CharBlock(label=_("applies to (models, versions)"), required=False, max_length=200)
    body = blocks.RichTextBlock(label=_("text"), features=[*RICH_FEATURES, "code"])

    class Meta:
        icon = "cogs"
        label = _("Technical note")
        description = _("A technical note for one product line.")
        template = "newsletter/blocks/technical_note.html"
        preview_value = {"heading": "Firmware 5.2 changes", "applies_to": "SG-200", "body": "<p>Update in the console.</p>"}


class CompanyNewsBlock(SectionBlock):
    date = blocks.DateBlock(label=_("date"), required=False)
    body = blocks.RichTextBlock(label=_("text"), features=RICH_FEATURES)

    class Meta:
        icon = "pick"
        label = _("Company news")
        description = _("News from the company.")
        template = "newsletter/blocks/company_news.html"
        preview_value = {"heading": "New service centre in Chengdu", "body": "<p>Open from March.</p>"}


class ImageSectionBlock(SectionBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120, required=False)
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("alternative text"), required=False, max_length=250,
        help_text=_("Describe the image for readers who cannot see it. Needed for the email."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image with caption")
        description = _("An image with alternative text and a caption.")
        template = "newsletter/blocks/image.html"


class CallToActionBlock(SectionBlock):
    text = blocks.TextBlock(label=_("text"), required=False)
    button_label = blocks.CharBlock(label=_("button label"), max_length=60)
    url = blocks.URLBlock(label=_("link"), help_text=_("A full address starting with https://"))

    class Meta:
        icon = "link"
        label = _("Call-to-action button")
        description = _("A short text and a button linking to a page.")
        template = "newsletter/blocks/call_to_action.html"
        preview_value = {"heading": "Book a health check", "button_label": "Book now", "url": "https://example.com/"}


class HelpfulBlock(SectionBlock):
    heading = blocks.CharBlock(label=_("question"), max_length=120, default=_("Was this issue helpful?"))

    interactive = True

    class Meta:
        icon = "pick"
        label = _("Was this helpful?")
        description = _("Readers answer yes or no, on the web or from the email.")
        template = "newsletter/blocks/helpful.html"
        preview_value = {"heading": "Was this issue helpful?"}


class PollBlock(SectionBlock):
    heading = blocks.CharBlock(label=_("question"), max_length=200)
    options = blocks.ListBlock(blocks.CharBlock(label=_("option"), max_length=100), min_num=2, max_num=6,
                               label=_("options"))

    interactive = True

    class Meta:
        icon = "list-ul"
        label = _("Short poll")
        description = _("One question with two to six options.")
        template = "newsletter/blocks/poll.html"
        preview_value = {"heading": "Which topic next?", "options": ["Backups", "Mail security"]}


class ReplyPromptBlock(SectionBlock):
    text = blocks.TextBlock(label=_("text"), required=False)
    button_label = blocks.CharBlock(label=_("button label"), max_length=60, default=_("Write to the editors"))

    class Meta:
        icon = "mail"
        label = _("Reply to the editors")
        description = _("Invites readers to write to the editors.")
        template = "newsletter/blocks/reply_prompt.html"
        preview_value = {"heading": "Tell us what you think", "button_label": "Write to us"}


class IssueStreamBlock(blocks.StreamBlock):
    article = ArticleBlock()
    product_knowledge = ProductKnowledgeBlock()
    technical_note = TechnicalNoteBlock()
    company_news = CompanyNewsBlock()
    image = ImageSectionBlock()
    call_to_action = CallToActionBlock()
    helpful = HelpfulBlock()
    poll = PollBlock()
    reply_prompt = ReplyPromptBlock()

    class Meta:
        block_counts = {"reply_prompt": {"max_num": 1}}
