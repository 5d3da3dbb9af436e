"""The knowledge box on the call screen and the customer page: staff search articles and email one
to a contact in one step; only for customers they may see, and only with the right to work calls."""

import pytest
from django.urls import reverse

from care.models import ArticleLinkSent
from care.services.calls import call_log_inbound
from care.services.customers import customer_contacts
from home.models import OutboxMessage

from ..calls_fixtures import *  # noqa: F403
from ..knowledge_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_call(knowledge, make_customer, teams, staff_east):
    customer = make_customer(team=teams["east"], email="wang.wei@east.example.com")
    return call_log_inbound(customer=customer, acting_user=staff_east)


def _not_found(response):
    """A 404 (Django's LocaleMiddleware turns an admin 404 into a redirect to a language-prefixed path)."""
    return response.status_code == 404 or (
        response.status_code == 302 and response["Location"].startswith("/zh-hans/admin/"))


def _send_form(html):
    import re

    ref = re.search(r'name="article" value="([^"]+)"', html).group(1)
    person = re.search(r'<option value="(\d+)"', html).group(1)
    return ref, person


def test_staff_search_on_the_call_screen_and_email_an_article(client, east_call, staff_east):
    client.force_login(staff_east)
    url = reverse("care_call_work", args=[east_call.pk])
    html = client.get(url, {"article_q": "钓鱼"}).content.decode()
    assert "如何识别钓鱼邮件？" in html and "data-send-article" in html
    assert "安全网关固件升级失败怎么办？" not in html
    ref, person = _send_form(html)

    response = client.post(reverse("care_customers:article_send", args=[east_call.customer_id]),
                           {"article": ref, "person": person, "call": east_call.pk, "article_q": "钓鱼"})
    assert response.status_code == 302 and response["Location"].startswith(url + "?article_q=")
    sent = ArticleLinkSent.objects.get()
    assert (sent.call, sent.sent_by, sent.person.email) == (east_call, staff_east, "wang.wei@east.example.com")
    assert OutboxMessage.objects.filter(kind="care.article_link", to_email="wang.wei@east.example.com").count() == 1
    html = client.get(url).content.decode()
    assert 'data-kind="article"' in html and "如何识别钓鱼邮件？" in html


def test_the_customer_page_has_the_same_box(client, east_call, staff_east):
    client.force_login(staff_east)
    url = reverse("care_customers:inspect", args=[east_call.customer_id])
    html = client.get(url, {"article_q": "备份"}).content.decode()
    assert "如何从备份恢复云主机？" in html
    ref, person = _send_form(html)
    response = client.post(reverse("care_customers:article_send", args=[east_call.customer_id]),
                           {"article": ref, "person": person})
    assert response["Location"].startswith(url)
    assert ArticleLinkSent.objects.get().call is None


def test_no_article_found_says_so(client, east_call, staff_east):
    client.force_login(staff_east)
    html = client.get(reverse("care_call_work", args=[east_call.pk]), {"article_q": "打印机"}).content.decode()
    assert "data-send-article" not in html and "打印机" in html


def test_staff_of_another_team_cannot_send_to_this_customer(client, east_call, staff_south):
    client.force_login(staff_south)
    person = customer_contacts(east_call.customer).first()
    response = client.post(reverse("care_customers:article_send", args=[east_call.customer_id]),
                           {"article": "page:1", "person": person.pk})
    assert _not_found(response)
    assert not ArticleLinkSent.objects.exists()


def test_a_call_of_another_customer_is_refused(client, east_call, staff_east, make_customer, teams, knowledge):
    other = make_customer("华东另一家公司", team=teams["east"])
    client.force_login(staff_east)
    ref = f"page:{knowledge['faq']['phishing-mail'].pk}"
    person = customer_contacts(other).first()
    response = client.post(reverse("care_customers:article_send", args=[other.pk]),
                           {"article": ref, "person": person.pk, "call": east_call.pk})
    assert _not_found(response)
    assert not ArticleLinkSent.objects.exists()


def test_bad_input_gets_a_clear_error(client, east_call, staff_east):
    client.force_login(staff_east)
    response = client.post(reverse("care_customers:article_send", args=[east_call.customer_id]),
                           {"article": "page:999999", "person": "x"}, follow=True)
    assert "请选择该客户的一位联系人" in response.content.decode()
    person = customer_contacts(east_call.customer).first()
    response = client.post(reverse("care_customers:article_send", args=[east_call.customer_id]),
                           {"article": "page:999999", "person": person.pk}, follow=True)
    assert "这篇文章尚未发布" in response.content.decode()
    assert not ArticleLinkSent.objects.exists()


def test_without_the_right_to_work_calls_nothing_is_sent(client, east_call, editor):
    client.force_login(editor)
    response = client.post(reverse("care_customers:article_send", args=[east_call.customer_id]),
                           {"article": "page:1", "person": 1})
    assert response.status_code == 403 or response["Location"] == "/admin/"  # Wagtail's "permission denied"
    assert not ArticleLinkSent.objects.exists()
