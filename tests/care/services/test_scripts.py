import pytest

from care.demo.customers import SCRIPTS, script_stream
from care.models import Call, CallPurpose, CallScript
from care.services import CareError
from care.services.scripts import call_progress, call_record_answer, script_next, script_steps
from tests.care.calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def _script(purpose, language="zh-hans"):
    for p, lang, name, steps in SCRIPTS:
        if p == purpose and lang == language:
            script = CallScript(name=name, purpose=p, language=lang, steps=script_stream(steps))
            script.save()
            script.save_revision().publish()
            return script
    raise LookupError(purpose)


def test_script_is_a_snippet_with_drafts_and_revisions(manager):
    script = _script(CallPurpose.WELCOME)
    assert script.live and script.revisions.count() == 1
    script.name = "新欢迎电话"
    script.save_revision(user=manager)
    assert CallScript.objects.get(pk=script.pk).name == "激活欢迎电话"  # draft not published yet
    assert script.has_unpublished_changes is False or script.revisions.count() == 2


def test_branching_on_answers():
    script = _script(CallPurpose.QUALITY_CONTROL, "en")
    steps = script_steps(script)
    assert [s["kind"] for s in steps] == ["say", "ask", "ask", "ask"]
    assert script_next(steps, 1, "ok") == 2
    assert script_next(steps, 2, "2") == 3  # "<=3": ask what to do better
    assert script_next(steps, 2, "5") == 4  # "*": skip to recommend
    assert script_next(steps, 4, "yes") is None  # the end


def test_complaint_follow_up_decides_device_or_network():
    steps = script_steps(_script(CallPurpose.COMPLAINT_FOLLOWUP))
    assert script_next(steps, 5, "设备问题") == 6
    assert script_next(steps, 5, "网络问题") == 7
    assert script_next(steps, 6, "ok") is None  # "go to 0" ends the script


@pytest.fixture
def welcome_call(teams, make_customer, product_line):
    from django.utils import timezone

    from care.services.devices import device_register

    _script(CallPurpose.WELCOME)
    customer = make_customer(team=teams["east"])
    device_register(customer=customer, product_line=product_line, model="SG", serial="SN-S1",
                    activated_on=timezone.localdate())
    return Call.objects.get(customer=customer)


def test_walking_the_welcome_script_stores_answers_as_data(welcome_call, staff_east):
    assert welcome_call.script.name == "激活欢迎电话"
    call_record_answer(call_id=welcome_call.pk, step=1, answer="", acting_user=staff_east)
    call_record_answer(call_id=welcome_call.pk, step=2, answer="yes", acting_user=staff_east)
    call_record_answer(call_id=welcome_call.pk, step=3, answer="no", acting_user=staff_east)  # not installed
    progress = call_progress(Call.objects.get(pk=welcome_call.pk))
    assert progress["current"] == 9  # book an installation visit
    call_record_answer(call_id=welcome_call.pk, step=9, answer="done", acting_user=staff_east)
    call = Call.objects.get(pk=welcome_call.pk)
    assert call.answers["current"] == 4
    assert call.answers["path"] == [1, 2, 3, 9]
    assert call.answers["steps"]["3"] == {"q": "产品已经安装好了吗？", "a": "no", "kind": "yes_no"}
    with pytest.raises(CareError):
        call_record_answer(call_id=call.pk, step=4, answer="maybe", acting_user=staff_east)
    with pytest.raises(CareError):
        call_record_answer(call_id=call.pk, step=6, answer="5", acting_user=staff_east)  # not the current step
    # Going back to step 3 and changing the answer forgets what came after it.
    call_record_answer(call_id=call.pk, step=3, answer="yes", acting_user=staff_east)
    call = Call.objects.get(pk=welcome_call.pk)
    assert call.answers["path"] == [1, 2, 3] and call.answers["current"] == 4 and "9" not in call.answers["steps"]


def test_rating_step_accepts_only_1_to_5(welcome_call, staff_east):
    for step, answer in [(1, ""), (2, "yes"), (3, "yes"), (4, "yes"), (5, "")]:
        call_record_answer(call_id=welcome_call.pk, step=step, answer=answer, acting_user=staff_east)
    with pytest.raises(CareError):
        call_record_answer(call_id=welcome_call.pk, step=6, answer="6", acting_user=staff_east)
    call_record_answer(call_id=welcome_call.pk, step=6, answer="4", acting_user=staff_east)
    assert call_progress(Call.objects.get(pk=welcome_call.pk))["finished"] is True
