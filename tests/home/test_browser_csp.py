"""A page with injected inline script does not run it: the Content-Security-Policy blocks it."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
"""


def test_injected_inline_script_does_not_run(page, live_server, transactional_db, home_pages):
    from home.models import StandardPage

    home = home_pages["en"]
    # Content stored from outside the editor, as an attacker would inject it: an inline script, an
    # event handler and a javascript: link.
    body = (
        "<p>Hello</p>"
        "<script>document.documentElement.dataset.pwned = 'script';</script>"
        "<img src=\"/no-such-image.png\" alt=\"\" onerror=\"document.documentElement.dataset.pwned = 'handler'\">"
    )
    injected = home.add_child(instance=StandardPage(title="Injected", slug="injected", body=body))
    injected.save_revision().publish()

    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)
    response = page.goto(live_server.url + injected.url)
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("h1").inner_text() == "Injected"
    page.wait_for_function("window.__violations.length >= 2")

    assert page.evaluate("document.documentElement.dataset.pwned") is None
    violations = page.evaluate("window.__violations")
    assert any(v.startswith("script-src") for v in violations), violations
    assert any("Content Security Policy" in text for text in console), console
