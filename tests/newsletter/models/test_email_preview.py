"""The email preview in the page editor shows what a mail client gets, without the public site's policy."""

import io

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from PIL import Image, ImageChops
from wagtail.images import get_image_model

from home.middleware import PUBLIC_CSP
from home.models import ProductLine
from newsletter.emails import issue_email_sample
from newsletter.models import IssuePage
from newsletter.models.pages import EMAIL_PREVIEW_WIDTHS
from tests.newsletter.journal_data import issue_form_data


def _draft_and_preview(journal, client):
    data = issue_form_data(product_line_id=ProductLine.objects.get(slug="pc").pk,
                           image_id=get_image_model().objects.first().pk, slug="2027-01")
    client.post(f"/admin/pages/add/newsletter/issuepage/{journal['index'].pk}/", data)
    issue = IssuePage.objects.get(slug="2027-01")
    preview_url = f"/admin/pages/{issue.pk}/edit/preview/"
    assert client.post(preview_url, data).json()["is_valid"]
    return issue, preview_url


@pytest.mark.django_db
def test_email_preview_has_its_own_policy_and_sandboxed_frames(journal):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.com", "x-pass-12345"))
    issue, preview_url = _draft_and_preview(journal, client)

    response = client.get(preview_url + "?mode=email")
    assert response["Content-Security-Policy"] == django_settings.EMAIL_PREVIEW_CSP
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    html = response.content.decode()
    assert html.count('sandbox="allow-same-origin"') == 2  # no allow-scripts: nothing in the email runs
    # The public page keeps its strict policy.
    issue.save_revision().publish()
    public = client.get(issue.url)
    assert public["Content-Security-Policy"] == PUBLIC_CSP


def _png(data):
    return Image.open(io.BytesIO(data)).convert("RGB")


def _differing_share(a, b):
    assert a.size == b.size, (a.size, b.size)
    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 24 else 0)
    return sum(diff.histogram()[255:]) / (a.size[0] * a.size[1])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_email_preview_pixels_match_the_sent_html(journal, browser, live_server):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "x-pass-12345")
    client = Client()
    client.force_login(user)
    issue, preview_url = _draft_and_preview(journal, client)
    _subject, sent_html, _text = issue_email_sample(issue.get_latest_revision())

    for name, width in zip(("desktop", "narrow"), EMAIL_PREVIEW_WIDTHS, strict=True):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
        tab = context.new_page()
        tab.goto(live_server.url + preview_url + "?mode=email")
        frame = tab.locator(f".{name} iframe")
        tab.wait_for_function("f => f.dataset.fitted === '1'", arg=frame.element_handle())
        preview = _png(frame.screenshot(path=f"/tmp/shots/i16/preview-{name}.png"))

        alone = context.new_page()
        alone.set_viewport_size({"width": width, "height": 900})
        alone.set_content(sent_html)
        sent = _png(alone.screenshot(full_page=True, path=f"/tmp/shots/i16/sent-{name}.png"))
        context.close()
        # Same width; heights may differ by a rounding pixel.
        assert preview.width == sent.width and abs(preview.height - sent.height) <= 2, (name, preview.size, sent.size)
        box = (0, 0, sent.width, min(preview.height, sent.height))
        assert _differing_share(preview.crop(box), sent.crop(box)) < 0.005, name
