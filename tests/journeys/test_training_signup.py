"""Journey (issue 17), in Chromium and Simplified Chinese, with mail through the loopback SMTP server
and a real Celery worker, every emailed link followed:

a customer books two engineers, mistypes the serial number twice, corrects it and succeeds; a second
company fills the class; a third customer joins the waiting list; the first customer cancels through
the private link in their email; the waiting customer accepts the emailed offer; the coordinator
signs in, marks everyone present, records the results and issues certificates; a certificate PDF
verifies through its QR code."""

import re
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from home.roles import TRAINING_COORDINATORS, sync_roles
from training.models import ClassSession, Signup

from ..training.signup_helpers import catalog, course, session

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/i17")


def _mail(smtp_server, address, subject_part, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for item in smtp_server.messages:
            if address in item["to"] and subject_part in item["message"]["Subject"]:
                return item["message"]
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} about {subject_part!r}: "
                         f"{[(m['to'], m['message']['Subject']) for m in smtp_server.messages]}")


def _private_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/training/booking/[\w-]+/", text).group(0)
    return "/" + link.split("/", 3)[3]


def _book(page, url, attendees, company, serial):
    page.goto(url + "/zh-hans/training/")
    page.get_by_role("link", name=re.compile("(报名|加入候补名单).*杭州")).first.click()
    for index, (name, email, mobile) in enumerate(attendees):
        page.get_by_label("学员姓名").nth(index).fill(name)
        page.get_by_label("学员电子邮箱").nth(index).fill(email)
        page.get_by_label("学员手机号码").nth(index).fill(mobile)
    page.get_by_label("公司名称").fill(company)
    page.get_by_label(re.compile("产品序列号或合同号")).fill(serial)
    page.get_by_label(re.compile("我接受培训条款")).check()


def test_training_signup_journey(browser, live_server, home_pages, smtp_server, celery_worker, settings, tmp_path):
    cache.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    klass = session(course(catalog(home_pages), title="防火墙认证工程师", price=0), capacity=4,
                    city="杭州", city_en="Hangzhou", price=0)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(20000)

    # 1. A customer books two engineers and mistypes the serial number twice.
    engineers = [("李雷", "li.lei@example.com", "138 0013 8000"), ("王芳", "wang.fang@example.com", "13800138001")]
    _book(page, live_server.url, engineers, "华东电力", "FW#2026")
    page.get_by_role("button", name="预订座位").click()
    summary = page.locator(".error-summary")
    assert "请更正以下内容" in summary.inner_text()
    summary.get_by_role("link", name=re.compile("产品序列号或合同号")).click()
    assert page.evaluate("document.activeElement.id") == "id_serial_number"
    assert page.get_by_label("学员姓名").nth(1).input_value() == "王芳"  # entries kept
    page.screenshot(path=str(SHOTS / "booking_form_errors.png"), full_page=True)
    page.get_by_label(re.compile("产品序列号或合同号")).fill("12")
    page.get_by_label(re.compile("我接受培训条款")).check()
    page.get_by_role("button", name="预订座位").click()
    assert "请更正以下内容" in page.locator(".error-summary").inner_text()
    page.get_by_label(re.compile("产品序列号或合同号")).fill("FW-2026-0001")
    page.get_by_label(re.compile("我接受培训条款")).check()
    page.get_by_role("button", name="预订座位").click()
    page.wait_for_url(re.compile(r"/zh-hans/training/booking/[\w-]{43}/(#\w+)?$"))
    assert "已确认" in page.locator("#signup-status").inner_text()

    # 2. A second company fills the class.
    other = browser.new_context(locale="zh-CN")
    second = other.new_page()
    _book(second, live_server.url, [("韩梅梅", "han@example.com", "13900139000"),
                                    ("Jim Green", "jim@example.com", "13900139001")], "西部电网", "CT-778899")
    second.get_by_role("button", name="预订座位").click()
    second.wait_for_url(re.compile(r"/training/booking/"))
    klass.refresh_from_db()
    assert klass.status == ClassSession.Status.FULL

    # 3. A third customer finds the class full and joins the waiting list.
    third_context = browser.new_context(locale="zh-CN")
    third = third_context.new_page()
    _book(third, live_server.url, [("赵敏", "zhao.min@example.com", "13700137000")], "南方电子", "SN-0042")
    third.get_by_role("button", name="加入候补名单").click()
    third.wait_for_url(re.compile(r"/training/booking/"))
    assert "候补" in third.locator("#signup-status").inner_text()
    _mail(smtp_server, "zhao.min@example.com", "已进入候补名单")

    # 4. The first customer cancels their own seat through the private link in their email.
    confirmation = _mail(smtp_server, "li.lei@example.com", "预订确认")
    page.goto(live_server.url + _private_link(confirmation))
    page.get_by_role("button", name="取消报名").click()
    page.wait_for_url(re.compile(r"/training/booking/"))
    assert "已取消" in page.locator("#signup-status").inner_text()

    # 5. The waiting customer accepts the emailed offer, within its time limit.
    offer = _mail(smtp_server, "zhao.min@example.com", "有空位为您保留")
    offer_text = offer.get_body(("plain",)).get_content()
    until = timezone.localtime(Signup.objects.get(person__email="zhao.min@example.com").offer_expires_at)
    assert until.strftime("%Y-%m-%d %H:%M") in offer_text
    third.goto(live_server.url + _private_link(offer))
    third.get_by_role("button", name="接受座位").click()
    third.wait_for_url(re.compile(r"/training/booking/"))
    assert "已确认" in third.locator("#signup-status").inner_text()
    assert Signup.objects.filter(session=klass, status=Signup.Status.CONFIRMED).count() == 4

    # The class takes place.
    start = timezone.now() - timedelta(hours=9)
    ClassSession.objects.filter(pk=klass.pk).update(starts_at=start, ends_at=start + timedelta(hours=8),
                                                    signup_deadline=start - timedelta(days=2))

    # 6. The coordinator signs in, marks everyone present, records the results and issues certificates.
    sync_roles()
    coordinator = get_user_model().objects.create_user("coordinator", "coord@example.com", "Coord-2026-pass")
    coordinator.groups.add(Group.objects.get(name=TRAINING_COORDINATORS))
    admin_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1200})
    admin = admin_context.new_page()
    admin.set_default_timeout(20000)
    admin.goto(live_server.url + "/admin/login/")
    admin.locator("#id_username").fill("coordinator")
    admin.locator("#id_password").fill("Coord-2026-pass")
    admin.locator("form button[type=submit]").first.click()
    admin.wait_for_url(re.compile(r"/admin/$"))
    admin.goto(live_server.url + "/admin/training_sessions/")
    row = admin.locator("tr", has_text="防火墙认证工程师")
    row.get_by_role("link", name="出勤").click()
    admin.get_by_role("button", name="全部标记为出席").click()
    assert "4" in admin.locator(".messages").inner_text()
    company_cells = admin.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert "华东电力" in company_cells and "南方电子" in company_cells
    admin.screenshot(path=str(SHOTS / "coordinator_attendance.png"), full_page=True)
    assert "出勤" in admin.get_by_role("heading", level=1).inner_text()
    admin.get_by_role("link", name="给学员发邮件").click()
    assert "给学员发邮件" in admin.get_by_role("heading", level=1).inner_text()
    admin.screenshot(path=str(SHOTS / "coordinator_email_form.png"), full_page=True)
    admin.get_by_role("button", name="面包屑开关").click()  # back through the breadcrumbs
    admin.get_by_role("navigation", name="面包屑").get_by_role("link", name="出勤").click()
    admin.wait_for_url(re.compile(r"/attendance/$"))
    admin.goto(live_server.url + "/admin/training/figures/")
    assert "满班率与候补名单" in admin.get_by_role("heading", level=1).inner_text()
    admin.screenshot(path=str(SHOTS / "coordinator_figures.png"), full_page=True)
    admin.go_back()

    admin.goto(live_server.url + f"/admin/training/certificates/classes/{klass.pk}/")
    for select in admin.locator("select[name^=result-]").all():
        select.select_option("passed")
    admin.get_by_role("button", name="保存考核结果").click()
    admin.get_by_role("button", name="颁发证书").click()
    assert "4" in admin.locator(".messages").inner_text()
    admin.screenshot(path=str(SHOTS / "coordinator_certificates.png"), full_page=True)

    # 7. The certificate PDF reaches its holder and verifies through its QR code.
    mail = _mail(smtp_server, "zhao.min@example.com", "您的证书", timeout=120)
    pdf = next(part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf")
    (tmp_path / "certificate.pdf").write_bytes(pdf.get_payload(decode=True))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "certificate.pdf"),
                    str(tmp_path / "page")], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True,
                             text=True, check=True).stdout.split()
    assert len(decoded) == 1 and "/certificates/verify/" in decoded[0]
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "certificate.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "赵敏" in text
    third.goto(live_server.url + "/" + decoded[0].split("/", 3)[3])
    body = third.locator("main").inner_text()
    assert "该证书真实有效" in body and "防火墙认证工程师" in body
    assert "赵" in third.locator("main dl, main table").first.inner_text()  # the holder's name, partly hidden
    third.screenshot(path=str(SHOTS / "certificate_verified.png"), full_page=True)
    for ctx in (context, other, third_context, admin_context):
        ctx.close()
