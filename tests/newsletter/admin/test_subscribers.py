"""The subscriber import from the admin: upload, preview of the first rows and the report of a dry run,
confirm, report; as a care manager in zh-hans (the subscriber list is personal data: the import asks for
the listing's permission, which editors do not hold)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.users.models import UserProfile

from home.models import Person
from home.roles import CARE_MANAGERS, EDITORS
from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db
URL = "/admin/journal_subscribers/import/"
CSV = ("email,name,company,language,product_lines\r\n"
       "zhang.san@example.com,张三,蓝海科技,zh-hans,firewall\r\n"
       f"li.si@example.com,{'李' * 121},,zh-hans,\r\n"
       "ZHANG.SAN@example.com ,张三丰,,zh-hans,\r\n")


@pytest.fixture(autouse=True)
def lines(db):
    from home.demo.pages import _product_lines

    _product_lines()


def _staff(username, role):
    user = get_user_model().objects.create_user(username=username, password="x-pass-12345", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def manager_client(client):
    user = _staff("laozhang", CARE_MANAGERS)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "zh-hans"
    profile.save()
    client.force_login(user)
    return client


def _upload(client, data: bytes, encoding=""):
    return client.post(URL, {"file": SimpleUploadedFile("名单.csv", data, content_type="text/csv"),
                             "encoding": encoding})


def test_the_listing_offers_the_import(manager_client):
    response = manager_client.get("/admin/journal_subscribers/")
    assert response.status_code == 200, response
    body = response.content.decode()
    assert URL in body and "从 CSV 导入" in body


def test_a_gb18030_file_is_previewed_then_imported_and_a_long_name_is_rejected_with_its_reason(manager_client):
    response = _upload(manager_client, CSV.encode("gb18030"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "张三" in body and "蓝海科技" in body  # the first rows, decoded
    assert "姓名过长（最多 120 个字符）" in body  # the true reason, in Chinese
    assert "与第 2 行重复（同一地址）" in body
    assert "1 个新订阅者" in body and "gb18030" in body
    assert not Subscriber.objects.exists() and not Person.objects.exists()  # a dry run

    token = response.context["token"]
    body = manager_client.post(URL, {"confirm": token}).content.decode()
    assert "已导入" in body and "1 个新订阅者" in body and "姓名过长" in body
    subscriber = Subscriber.objects.get()
    assert subscriber.person.name == "张三" and subscriber.person.organisation.name == "蓝海科技"
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert list(subscriber.product_lines.values_list("slug", flat=True)) == ["firewall"]

    # The same confirmation cannot run twice.
    response = manager_client.post(URL, {"confirm": token}, follow=True)
    assert "不再等待确认" in response.content.decode()
    assert Subscriber.objects.count() == 1


def test_a_file_in_the_wrong_encoding_is_refused_with_its_line(manager_client):
    body = _upload(manager_client, CSV.encode("gb18030"), encoding="utf-8-sig").content.decode()
    assert "第 2 行" in body and not Subscriber.objects.exists()


def test_a_file_without_email_column_is_refused(manager_client):
    body = _upload(manager_client, "姓名\r\n张三\r\n".encode()).content.decode()
    assert "email" in body and "标题行" in body


def test_editors_cannot_import_as_they_cannot_see_the_subscribers(client):
    client.force_login(_staff("editor", EDITORS))
    assert client.get("/admin/journal_subscribers/").status_code == 302
    assert client.get(URL).status_code == 302
    response = _upload(client, CSV.encode())
    assert response.status_code == 302 and not Subscriber.objects.exists()
