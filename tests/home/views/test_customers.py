"""Customers sign in without a password: a one-time link or code by email, a code by text message.

The link works once and expires; ten requests for one address send at most three messages an hour;
a customer session is not a staff sign-in and opens nothing under /admin/."""

import re
from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone

from home.customers import SESSION_KEY
from home.models import CustomerSignin, OutboxMessage, Person
from home.sms import MemoryBackend

pytestmark = pytest.mark.django_db
EMAIL = "zhao.min@customer.example.cn"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    MemoryBackend.outbox.clear()


@pytest.fixture
def zhao(db):
    return Person.objects.create(name="赵敏", email=EMAIL, mobile="+8613800138000", language="zh-hans")


def ask(client, address, language="zh-hans"):
    return client.post(f"/{language}/signin/", {"address": address})


def link_and_code(message):
    link = re.search(r"https://journal\.example\.com(/[a-z-]+/signin/link/[^\s\"<]+/)", message.text)
    code = re.search(r"\b(\d{6})\b", message.text)
    assert link and code, message.text
    return link.group(1), code.group(1)


def test_sign_in_page_is_labelled_and_in_the_header(client):
    html = client.get("/zh-hans/signin/").content.decode()
    assert '<html lang="zh-Hans">' in html and "<title>登录" in html
    assert '<label for="id_address">' in html
    assert 'href="/zh-hans/signin/"' in html  # the header's sign-in link
    assert "Sign in" in client.get("/en/signin/").content.decode()


def test_a_link_works_once(client, zhao):
    response = ask(client, "Zhao.Min@Customer.example.cn ")
    assert response.status_code == 302 and response["Location"] == "/zh-hans/signin/code/"
    message = OutboxMessage.objects.get(kind="customer_signin")
    assert message.to_email == EMAIL and message.person == zhao
    link, code = link_and_code(message)
    signin = CustomerSignin.objects.get()
    assert link.split("/")[-2] not in signin.token_hash and code not in signin.code_hash  # only hashes kept
    # a GET (a mail scanner) uses nothing up
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == "/zh-hans/my/"
    assert client.session[SESSION_KEY] == zhao.pk
    page = client.get("/zh-hans/my/")
    assert page.status_code == 200 and "赵敏" in page.content.decode()
    # the same link again, even in another browser, is refused
    client.post("/zh-hans/signout/")
    again = client.post(link)
    assert again.status_code == 400 and "不再有效" in again.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get("/zh-hans/my/")["Location"] == "/zh-hans/signin/"


def test_a_link_expires(client, zhao, settings):
    ask(client, EMAIL)
    link, _code = link_and_code(OutboxMessage.objects.get())
    CustomerSignin.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(link)
    assert response.status_code == 400 and SESSION_KEY not in client.session
    assert client.post("/zh-hans/signin/link/not-a-token/").status_code == 400


def test_the_code_signs_in_and_wrong_codes_run_out(client, zhao):
    ask(client, EMAIL)
    _link, code = link_and_code(OutboxMessage.objects.get())
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/zh-hans/signin/code/", {"code": wrong})
    assert response.status_code == 200 and "验证码不对" in response.content.decode()
    assert CustomerSignin.objects.get().failed_codes == 1
    for _ in range(4):
        client.post("/zh-hans/signin/code/", {"code": wrong})
    response = client.post("/zh-hans/signin/code/", {"code": code})  # the right code, too late
    assert SESSION_KEY not in client.session and "不再有效" in response.content.decode()


def test_the_right_code_signs_in(client, zhao):
    ask(client, EMAIL, language="en")
    _link, code = link_and_code(OutboxMessage.objects.get())
    response = client.post("/en/signin/code/", {"code": f" {code[:3]} {code[3:]} "})
    assert response["Location"] == "/en/my/" and client.session[SESSION_KEY] == zhao.pk


def test_a_mobile_gets_a_code_by_text_message(client, zhao, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "138 0013 8000")
    assert not OutboxMessage.objects.exists()
    [sms] = MemoryBackend.outbox
    assert sms["to"] == "+8613800138000"
    code = re.search(r"\b(\d{6})\b", sms["text"]).group(1)
    client.post("/zh-hans/signin/code/", {"code": code})
    assert client.session[SESSION_KEY] == zhao.pk


def test_sms_file_backend_writes_to_var_sms(settings, tmp_path):
    from home.sms import sms_send

    settings.SMS_BACKEND = "home.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    sms_send(to="+8613800138000", text="验证码 123456")
    [written] = list((tmp_path / "sms").iterdir())
    assert "+8613800138000" in written.read_text() and "123456" in written.read_text()


def test_ten_requests_for_one_address_send_at_most_three(client, zhao):
    for n in range(10):
        response = ask(client, EMAIL if n % 2 else EMAIL.upper())
        assert response.status_code == 302  # the same answer every time
    assert OutboxMessage.objects.filter(kind="customer_signin").count() == 3
    assert CustomerSignin.objects.count() == 3


def test_the_hour_slides_even_when_the_cache_forgets(client, zhao):
    from django.core.cache import cache

    for _ in range(3):
        ask(client, EMAIL)
    cache.clear()  # a new fixed window, or a cache restart
    ask(client, EMAIL)
    assert CustomerSignin.objects.count() == 3
    CustomerSignin.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    ask(client, EMAIL)
    assert CustomerSignin.objects.count() == 4


def test_unknown_and_invalid_addresses(client, zhao):
    response = ask(client, "nobody@example.com")
    assert response.status_code == 302 and not OutboxMessage.objects.exists()
    response = ask(client, "not an address")
    assert response.status_code == 200 and "请输入" in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_a_code_for_an_unknown_address_is_answered_like_a_wrong_one(client, zhao):
    ask(client, "nobody@example.com")
    answers = [client.post("/zh-hans/signin/code/", {"code": "123456"}).content.decode() for _ in range(6)]
    assert all("验证码不对" in answer for answer in answers[:5]) and "不再有效" in answers[5]
    assert SESSION_KEY not in client.session


def test_code_page_needs_a_request_first(client):
    assert client.get("/zh-hans/signin/code/")["Location"] == "/zh-hans/signin/"


def _fill(route: str) -> str:
    """A URL pattern (route or regex) with every parameter filled in with 1."""
    route = re.sub(r"<[^>]+>", "1", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)|\([^)]*\)", "1", route)
    return route.replace(".*", "x").replace("^", "").replace("$", "").replace("\\", "")


def _admin_urls(patterns=None, prefix=""):
    """Every URL pattern under /admin/, with its arguments filled in."""
    from django.urls import URLPattern, URLResolver

    if patterns is None:
        admin = next(p for p in get_resolver().url_patterns if str(p.pattern) == "admin/")
        return sorted(set(_admin_urls(admin.url_patterns, "/admin/")))
    urls = []
    for pattern in patterns:
        path = prefix + _fill(str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            urls += _admin_urls(pattern.url_patterns, path)
        elif isinstance(pattern, URLPattern):
            urls.append(path)
    return urls


def test_a_customer_session_reaches_nothing_under_admin(client, zhao):
    ask(client, EMAIL)
    link, _code = link_and_code(OutboxMessage.objects.get())
    client.post(link)
    assert client.session[SESSION_KEY] == zhao.pk
    urls = _admin_urls()
    assert len(urls) > 100 and "/admin/" in urls
    # open to everyone by design: the staff sign-in and password reset forms, and their assets
    public = ("/admin/login/", "/admin/password_reset/", "/admin/jsi18n/", "/admin/sprite/")
    for url in urls:
        if url.startswith(public):
            continue
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"], (url, response["Location"])
    assert client.session[SESSION_KEY] == zhao.pk  # still the customer: nothing above signed them out or in
