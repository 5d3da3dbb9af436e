"""Writes of certificates: assessing attendees, issuing, revoking, the PDF and its email, and reminders
before expiry."""

import logging
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.emails import absolute_url, attachment
from home.services.outbox import outbox_enqueue_template

from .. import tasks
from ..models import Assessment, Certificate, ClassSession, CoursePage, Signup
from ..models.certificates import certificate_number_new
from ..pdf import CertificateDocument, certificate_pdf
from ..selectors import sessions_upcoming_for_course
from . import TrainingError

logger = logging.getLogger(__name__)

REMINDER_DAYS = (60, 14)


# Helpers -----------------------------------------------------------------------------------------


def certificate_verify_url(number: str) -> str:
    """The public address of a certificate, without a language prefix: the site sends the reader on
    to their own language, so one printed code serves both."""
    return absolute_url(f"/certificates/verify/{number}/")


def _course_titles(course: CoursePage) -> dict[str, str]:
    """The course title in each language it was translated into."""
    titles = {}
    for page in course.get_translations(inclusive=True).select_related("locale"):
        titles[page.locale.language_code] = page.title
    return titles


def _page_in_language(page, language: str):
    from wagtail.models import Locale

    locale = Locale.objects.filter(language_code=language).first()
    translated = page.get_translation_or_none(locale) if locale else None
    return (translated or page).specific


def _new_number() -> str:
    for _attempt in range(10):
        number = certificate_number_new()
        if not Certificate.objects.filter(number=number).exists():
            return number
    raise TrainingError(_("Could not make a new certificate number; please try again."))


# Assessment --------------------------------------------------------------------------------------


def checklist_parse(text: str) -> list[dict]:
    """Turn the admin's text form of a checklist ("[x] Configured the VPN" per line) into JSON rows."""
    rows = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        done = line[:3].lower() in {"[x]", "[✓]"}
        if line.startswith("[") and "]" in line[:4]:
            line = line[line.index("]") + 1:].strip()
        if line:
            rows.append({"item": line[:200], "done": done})
    return rows


def checklist_text(rows: list[dict]) -> str:
    return "\n".join(f"[{'x' if row.get('done') else ' '}] {row.get('item', '')}" for row in rows or [])


@transaction.atomic
def assessment_record(
    *, signup_id: int, result: str, acting_user, checklist: list | None = None, notes: str = ""
) -> Assessment:
    """Record (or change) the trainer's verdict on one attendee. Issued certificates are not touched:
    revoke one explicitly if a verdict turns out wrong."""
    signup = Signup.objects.select_related("session").get(pk=signup_id)
    assessment = Assessment.objects.select_for_update().filter(signup=signup).first() or Assessment(signup=signup)
    if result not in Assessment.Result.values:
        raise TrainingError(_("Choose passed, failed or not assessed yet."))
    if result == Assessment.Result.PASSED and not signup.attended:
        raise TrainingError(_("Only an attendee marked present can pass."))
    changed = (assessment.pk is None or assessment.result != result or assessment.checklist != (checklist or [])
               or assessment.notes != notes)
    assessment.result = result
    assessment.checklist = checklist or []
    assessment.notes = notes
    if changed:
        assessment.assessed_by = acting_user
        assessment.assessed_at = timezone.now()
    assessment.full_clean()
    assessment.save()
    if changed:
        log(instance=assessment, action="training.assessment_record", user=acting_user,
            data={"signup": signup.pk, "result": result})
    return assessment


# Issuing and revoking ----------------------------------------------------------------------------


def certificate_create(
    *,
    person,
    course: CoursePage,
    class_date: date,
    issued_on: date | None = None,
    session: ClassSession | None = None,
    signup: Signup | None = None,
    holder_name: str = "",
    acting_user=None,
) -> Certificate:
    """Make one certificate (no PDF yet). Used by issuing and by the demo content."""
    course = course.specific
    titles = _course_titles(course)
    issued_on = issued_on or timezone.localdate()
    months = getattr(course, "certificate_validity_months", None) or 0
    certificate = Certificate(
        number=_new_number(),
        person=person,
        holder_name=(holder_name or person.name or person.email)[:120],
        course=course,
        course_title_zh_hans=titles.get("zh-hans", course.title),
        course_title_en=titles.get("en", ""),
        product_line_id=getattr(course, "product_line_id", None),
        session=session,
        signup=signup,
        class_date=class_date,
        issued_on=issued_on,
        expires_on=issued_on + relativedelta(months=months) if months else None,  # the 31st: end of a shorter month
        issued_by=acting_user,
    )
    certificate.full_clean()
    certificate.save()
    return certificate


def certificate_issue_for_session(*, session_id: int, acting_user) -> list[Certificate]:
    """Issue certificates to everyone in a class who was present and passed, and who has none yet.

    Idempotent: running it again issues only to attendees who have qualified since. Each new
    certificate's PDF is made and emailed by a task after the transaction commits.
    """
    with transaction.atomic():
        session = ClassSession.objects.select_for_update(of=("self",)).select_related("course").get(pk=session_id)
        class_date = timezone.localtime(session.starts_at).date()
        if class_date > timezone.localdate():
            raise TrainingError(_("Certificates can be issued once the class has taken place."))
        qualifying = (
            Signup.objects.filter(session=session, attended=True, assessment__result=Assessment.Result.PASSED,
                                  certificate__isnull=True)
            .select_related("person")
            .order_by("pk")
        )
        issued = []
        for signup in qualifying:
            try:
                with transaction.atomic():
                    certificate = certificate_create(
                        person=signup.person, course=session.course, class_date=class_date, session=session,
                        signup=signup, acting_user=acting_user,
                    )
            except IntegrityError:  # issued meanwhile by a concurrent run
                continue
            log(instance=certificate, action="training.certificate_issue", user=acting_user,
                data={"session": session.pk, "number": certificate.number})
            tasks.certificate_render_pdf_task.delay_on_commit(certificate.pk)
            issued.append(certificate)
    return issued


@transaction.atomic
def certificate_revoke(*, certificate_id: int, reason: str, acting_user) -> Certificate:
    """Revoke a certificate. Verification shows it as revoked from this moment on."""
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError(_("Give the reason for revoking the certificate."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
    if certificate.status == Certificate.Status.REVOKED:
        raise TrainingError(_("This certificate is already revoked."))
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = reason
    certificate.full_clean()
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason", "updated_at"])
    log(instance=certificate, action="training.certificate_revoke", user=acting_user, data={"reason": reason})
    # The stored PDF is made again with the REVOKED mark (not mailed: the holder is told separately).
    tasks.certificate_render_pdf_task.delay_on_commit(certificate.pk)
    return certificate


# The PDF and its email ---------------------------------------------------------------------------


def certificate_document(certificate: Certificate) -> CertificateDocument:
    line = certificate.product_line
    return CertificateDocument(
        number=certificate.number,
        holder_name=certificate.holder_name,
        course_title_zh=certificate.course_title_zh_hans,
        course_title_en=certificate.course_title_en,
        product_line_zh=line.name_zh_hans if line else "",
        product_line_en=line.name_en if line else "",
        class_date=certificate.class_date,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        verify_url=certificate_verify_url(certificate.number),
        revoked=certificate.status == Certificate.Status.REVOKED,
        issuer=getattr(settings, "TRAINING_CERTIFICATE_ISSUER", "客户服务部培训中心 / Customer Service Training Centre"),
        signatory=_signatory(certificate),
    )


def _signatory(certificate: Certificate) -> str:
    """Who signs: the coordinator who issued the certificate, or the configured signatory."""
    user = certificate.issued_by
    name = user.get_full_name().strip() if user else ""
    return name or getattr(settings, "TRAINING_CERTIFICATE_SIGNATORY", "")


def certificate_render_pdf(*, certificate_id: int, send: bool = True) -> Certificate:
    """Make and store the PDF (once), then email it to the holder (once, keyed on the number)."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",)).select_related("person", "product_line", "issued_by").get(pk=certificate_id)
        )
        revoked = certificate.status == Certificate.Status.REVOKED
        stale = revoked and (certificate.pdf_rendered_at is None or certificate.pdf_rendered_at < certificate.revoked_at)
        if stale or not certificate.pdf or not certificate.pdf.storage.exists(certificate.pdf.name):
            content = certificate_pdf(certificate_document(certificate))
            if certificate.pdf:
                certificate.pdf.delete(save=False)
            certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(content), save=False)
            certificate.pdf_rendered_at = timezone.now()
            certificate.save(update_fields=["pdf", "pdf_rendered_at", "updated_at"])
        if send and certificate.status == Certificate.Status.VALID and certificate.person.email:
            _send_certificate(certificate)
    return certificate


def _send_certificate(certificate: Certificate):
    person = certificate.person
    with certificate.pdf.open("rb") as handle:
        content = handle.read()
    outbox_enqueue_template(
        template="training/emails/certificate_issued",
        context={"certificate": certificate, "verify_url": certificate_verify_url(certificate.number),
                 "course_title": _title_in(certificate, person.language)},
        to_email=person.email,
        language=person.language,
        kind="training.certificate",
        person=person,
        key=f"training.certificate:{certificate.number}",
        attachments=[attachment(f"{certificate.number}.pdf", content, "application/pdf")],
    )


def _title_in(certificate: Certificate, language: str) -> str:
    if language == "en" and certificate.course_title_en:
        return certificate.course_title_en
    return certificate.course_title_zh_hans


# Reminders before expiry -------------------------------------------------------------------------


def _upcoming_sessions(course, limit=3):
    return list(sessions_upcoming_for_course(course=course)[:limit])


def _remind(certificate_id: int, days: int, today: date) -> bool:
    field = f"reminded_{days}_at"
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("person", "course")
            .filter(pk=certificate_id, status=Certificate.Status.VALID, **{f"{field}__isnull": True})
            .first()
        )
        if certificate is None:
            return False
        now = timezone.now()
        stamp = {field: now}
        if days == 14 and certificate.reminded_60_at is None:
            stamp["reminded_60_at"] = now  # too late for the first reminder: send only this one
        person = certificate.person
        if person.email:
            course_page = _page_in_language(certificate.course, person.language)
            outbox_enqueue_template(
                template="training/emails/certificate_reminder",
                context={
                    "certificate": certificate,
                    "course_title": _title_in(certificate, person.language),
                    "days_left": (certificate.expires_on - today).days,
                    "course_url": absolute_url(course_page.url or "/"),
                    "sessions": _upcoming_sessions(certificate.course),
                    "verify_url": certificate_verify_url(certificate.number),
                },
                to_email=person.email,
                language=person.language,
                kind="training.certificate_reminder",
                person=person,
                key=f"training.certificate_reminder:{certificate.number}:{days}",
            )
        for name, value in stamp.items():
            setattr(certificate, name, value)
        certificate.save(update_fields=[*stamp, "updated_at"])
    return True


def certificate_reminders_send(*, today: date | None = None) -> dict[int, int]:
    """Remind holders 60 and 14 days before their certificate lapses. Each reminder goes once; a
    run that finds nothing new sends nothing. Returns how many of each were sent."""
    today = today or timezone.localdate()
    sent = {}
    for days in sorted(REMINDER_DAYS):  # 14 first, so a late holder gets one reminder, not two
        due = Certificate.objects.filter(
            status=Certificate.Status.VALID,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=days),
            **{f"reminded_{days}_at__isnull": True},
        ).values_list("pk", flat=True)
        sent[days] = sum(_remind(pk, days, today) for pk in list(due))
    return sent
