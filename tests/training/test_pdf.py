"""The certificate PDF: Chinese name, course title and number as text; a QR code of the verification
address; made by a real worker and mailed to the holder with the PDF attached."""

import subprocess
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from home.models import OutboxMessage
from home.roles import TRAINING_COORDINATORS
from tests.conftest import wait_until
from training.models import Certificate
from training.pdf import CertificateDocument, certificate_pdf, qr_png
from training.services.certificates import certificate_issue_for_session, certificate_render_pdf, certificate_revoke

from . import certificate_helpers as h


def pdf_text(content: bytes, tmp_path, mode="-layout") -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", mode, str(path), "-"], check=True, capture_output=True, text=True).stdout


def qr_codes(content: bytes, tmp_path) -> list[str]:
    """Render the page as a reader's phone would see it and decode every QR code on it."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_pdf_carries_chinese_name_title_number_and_qr(tmp_path):
    url = "https://journal.example.com/certificates/verify/C2026K7Q2MX9D4T/"
    content = certificate_pdf(CertificateDocument(
        number="C2026K7Q2MX9D4T", holder_name="张伟", course_title_zh="安全网关认证工程师",
        course_title_en="Certified security gateway engineer", product_line_zh="安全网关",
        product_line_en="Security gateways", class_date=date(2026, 11, 20), issued_on=date(2026, 11, 23),
        expires_on=date(2028, 11, 23), verify_url=url,
    ))
    text = pdf_text(content, tmp_path)
    for expected in ["张伟", "安全网关认证工程师", "Certified security gateway engineer", "C2026K7Q2MX9D4T",
                     "2028-11-23", url, "培训认证证书", "Certificate of Training"]:
        assert expected in text
    assert qr_codes(content, tmp_path) == [url]


def test_qr_png_decodes(tmp_path):
    (tmp_path / "qr.png").write_bytes(qr_png("https://journal.example.com/certificates/verify/X/"))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "qr.png")], capture_output=True, text=True)
    assert out.stdout.strip() == "https://journal.example.com/certificates/verify/X/"


@pytest.mark.django_db
def test_stored_pdf_of_an_issued_certificate(home_pages, tmp_path):
    klass = h.session(h.course(home_pages, title="企业邮箱高级管理", title_en="Business mail administration"))
    h.attendee(klass, name="欧阳娜娜")
    [certificate] = certificate_issue_for_session(session_id=klass.pk, acting_user=h.staff())
    certificate = certificate_render_pdf(certificate_id=certificate.pk, send=False)
    content = certificate.pdf.read()
    text = pdf_text(content, tmp_path)
    assert "欧阳娜娜" in text and "企业邮箱高级管理" in text and certificate.number in text
    assert qr_codes(content, tmp_path) == [f"https://journal.example.com/certificates/verify/{certificate.number}/"]


@pytest.mark.django_db
def test_pdf_names_its_issuer_and_signatory_and_a_revoked_one_is_remade_with_a_mark(home_pages, tmp_path, settings):
    settings.TRAINING_CERTIFICATE_ISSUER = "客户服务部培训中心 / Customer Service Training Centre"
    klass = h.session(h.course(home_pages, title="企业邮箱高级管理", title_en="Business mail administration"))
    h.attendee(klass, name="欧阳娜娜")
    coordinator = h.staff(TRAINING_COORDINATORS)
    coordinator.first_name, coordinator.last_name = "Mei", "Chen"
    coordinator.save()
    [certificate] = certificate_issue_for_session(session_id=klass.pk, acting_user=coordinator)
    certificate = certificate_render_pdf(certificate_id=certificate.pk, send=False)
    text = pdf_text(certificate.pdf.read(), tmp_path)
    assert "客户服务部培训中心 / Customer Service Training Centre" in text
    assert "授权签字 / Authorised signature" in text and "Mei Chen" in text
    assert "REVOKED" not in text

    with mock.patch("training.tasks.certificate_render_pdf_task.delay_on_commit") as render:
        certificate_revoke(certificate_id=certificate.pk, reason="考试作弊", acting_user=coordinator)
    render.assert_called_once_with(certificate.pk)
    certificate = certificate_render_pdf(certificate_id=certificate.pk, send=False)
    content = certificate.pdf.read()
    assert "欧阳娜娜" in pdf_text(content, tmp_path)
    text = pdf_text(content, tmp_path, mode="-raw")  # in reading order: the stamp lies across the title
    assert "已撤销 REVOKED" in text and "企业邮箱高级管理" in text and "This certificate is no longer valid" in text
    assert qr_codes(content, tmp_path) == [f"https://journal.example.com/certificates/verify/{certificate.number}/"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_issue_in_admin_then_worker_mails_the_pdf(client, home_pages, smtp_server, celery_worker, tmp_path):
    klass = h.session(h.course(home_pages))
    h.attendee(klass, name="张伟", email="zhang.wei@example.com")
    client.force_login(h.staff(TRAINING_COORDINATORS))
    assert client.post(reverse("training_certificates:issue", args=[klass.pk])).status_code == 302
    certificate = Certificate.objects.get()

    [received] = smtp_server.wait_for(1, timeout=90)
    message = received["message"]
    assert received["to"] == ["zhang.wei@example.com"]
    assert certificate.number in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"{certificate.number}.pdf"
    content = attachment.get_content()
    assert "张伟" in pdf_text(content, tmp_path)
    wait_until(lambda: OutboxMessage.objects.filter(state="sent").exists(), message="outbox row marked sent")
    certificate.refresh_from_db()
    assert certificate.pdf_rendered_at is not None
