"""The satisfaction survey after a complaint: on resolution, or after the quality-control call where that is
the rule (CARE_SURVEY_AFTER_QUALITY_CALL); never twice. Mail goes to a real SMTP server on loopback."""

import pytest
from django.utils import timezone

from care.models import Call, CallPurpose, SurveyInvitation
from care.services.calls import call_log_outcome
from care.services.complaints import complaint_resolve
from home.models import OutboxMessage
from home.roles import CARE_STAFF
from tests.care.complaint_helpers import checklist_done, complaint, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.OTP_REQUIRED_GROUPS = []


@pytest.fixture
def eager_tasks():
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _resolved(settings, *, category, sampled, capture):
    settings.CARE_QC_SAMPLE_RATE = 1 if sampled else 0
    staff = staff_user("wang", CARE_STAFF)
    item = complaint(staff, category=category, notify=False)
    checklist_done(item, staff)
    with capture(execute=True):
        complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution="更换了网关固件")
    return item, staff


def _surveys(smtp_server):
    return [m for m in smtp_server.messages if "/care/survey/" in m["message"].get_body(("plain",)).get_content()]


def test_where_the_rule_applies_the_survey_waits_for_the_quality_call(
    settings, smtp_server, eager_tasks, django_capture_on_commit_callbacks
):
    settings.CARE_SURVEY_AFTER_QUALITY_CALL = ["network"]
    item, staff = _resolved(settings, category="network", sampled=True, capture=django_capture_on_commit_callbacks)
    qc = Call.objects.get(complaint=item, purpose=CallPurpose.QUALITY_CONTROL)
    smtp_server.wait_for(1)  # the "resolved" letter only
    assert not SurveyInvitation.objects.exists() and not _surveys(smtp_server)

    # The follow-up call closing does not send it; the quality-control call does.
    followup = Call.objects.get(complaint=item, purpose=CallPurpose.COMPLAINT_FOLLOWUP)
    with django_capture_on_commit_callbacks(execute=True):
        call_log_outcome(call_id=followup.pk, disposition=Call.Disposition.COMPLETED, acting_user=staff)
    assert not SurveyInvitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_log_outcome(call_id=qc.pk, disposition=Call.Disposition.COMPLETED, acting_user=staff,
                         now=max(timezone.now(), qc.due_at))
    smtp_server.wait_for(2)
    [mail] = _surveys(smtp_server)
    assert mail["to"] == ["zhang.wei@example.com"]
    invitation = SurveyInvitation.objects.get(complaint=item)
    assert invitation.token in mail["message"].get_body(("plain",)).get_content()

    # Never twice: sending again for this complaint (the task run twice, the resolution path) adds nothing.
    from care.tasks import survey_send_for_complaint_task

    survey_send_for_complaint_task(item.pk)
    assert SurveyInvitation.objects.filter(complaint=item).count() == 1
    assert OutboxMessage.objects.filter(kind="care.survey").count() == 1


def test_a_no_answer_quality_call_sends_the_survey_once_it_is_closed(
    settings, smtp_server, eager_tasks, django_capture_on_commit_callbacks
):
    settings.CARE_SURVEY_AFTER_QUALITY_CALL = ["*"]
    item, staff = _resolved(settings, category="product", sampled=True, capture=django_capture_on_commit_callbacks)
    qc = Call.objects.get(complaint=item, purpose=CallPurpose.QUALITY_CONTROL)
    moment = max(timezone.now(), qc.due_at)
    for _try in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            qc = call_log_outcome(call_id=qc.pk, disposition=Call.Disposition.NO_ANSWER, acting_user=staff, now=moment)
        assert (SurveyInvitation.objects.exists()) == (qc.state == Call.State.CLOSED)
        moment = max(moment, qc.due_at)
    assert qc.state == Call.State.CLOSED
    assert OutboxMessage.objects.filter(kind="care.survey").count() == 1


def test_without_the_rule_or_without_a_quality_call_the_survey_goes_on_resolution(
    settings, smtp_server, eager_tasks, django_capture_on_commit_callbacks
):
    settings.CARE_SURVEY_AFTER_QUALITY_CALL = ["network"]
    # Another category: on resolution, even with a quality call; closing the quality call sends nothing more.
    item, staff = _resolved(settings, category="billing", sampled=True, capture=django_capture_on_commit_callbacks)
    smtp_server.wait_for(2)
    assert len(_surveys(smtp_server)) == 1
    qc = Call.objects.get(complaint=item, purpose=CallPurpose.QUALITY_CONTROL)
    with django_capture_on_commit_callbacks(execute=True):
        call_log_outcome(call_id=qc.pk, disposition=Call.Disposition.COMPLETED, acting_user=staff,
                         now=max(timezone.now(), qc.due_at))
    assert OutboxMessage.objects.filter(kind="care.survey").count() == 1


def test_rule_category_not_in_the_sample_gets_the_survey_on_resolution(
    settings, smtp_server, eager_tasks, django_capture_on_commit_callbacks
):
    settings.CARE_SURVEY_AFTER_QUALITY_CALL = ["network"]
    item, _staff = _resolved(settings, category="network", sampled=False, capture=django_capture_on_commit_callbacks)
    assert not Call.objects.filter(complaint=item, purpose=CallPurpose.QUALITY_CONTROL).exists()
    smtp_server.wait_for(2)
    assert len(_surveys(smtp_server)) == 1 and SurveyInvitation.objects.filter(complaint=item).count() == 1
