"""Care managers handle rights requests in the admin: a demo person who subscribed, signed up, was
certified, was called and complained is found by email or mobile across the apps, exported in one
action, and erased, keeping what the law and accounting need."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from home.models import AccessLog, Consent, Person, RightsRequest
from home.privacy import export
from home.roles import CARE_MANAGERS, CARE_STAFF, EDITORS
from tests.training import signup_helpers

pytestmark = pytest.mark.django_db
NAME = "韩梅梅"
EMAIL = "meimei.han@huaan.example.cn"
MOBILE = "13912345678"


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()


def staff(username, role):
    user = get_user_model().objects.create_user(username=username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def manager():
    return staff("laozhang", CARE_MANAGERS)


@pytest.fixture
def demo_person(home_pages):
    """Built through each app's own public services, as the person met them."""
    from care.models import Call
    from care.services.calls import call_create, call_log_outcome
    from care.services.complaints import complaint_submit
    from care.services.customers import customer_create
    from home.services.people import person_merge
    from newsletter.services.subscribers import confirm_token, subscriber_confirm, subscriber_subscribe
    from training.services.certificates import certificate_create
    from training.services.payments import payment_paid_notification
    from training.services.signups import signup_create

    subscriber = subscriber_subscribe(email=EMAIL, name=NAME, company="华安科技", language="zh-hans",
                                      agreed_text="我同意接收月度电子期刊。")
    subscriber_confirm(token=confirm_token(subscriber))

    course = signup_helpers.course(signup_helpers.catalog(home_pages))
    session = signup_helpers.session(course)
    signup = signup_create(session_id=session.pk, name=NAME, email=EMAIL, mobile=MOBILE, company="华安科技",
                           serial_number="SN-778899", terms_text="我接受培训条款。")
    # The subscriber booked with a mobile the journal never had: the booking is kept on a flagged record
    # until a care manager merges it (a public form never changes a known person).
    assert signup.person.duplicate_of is not None
    person_merge(flagged_id=signup.person_id, acting_user=staff("merger", CARE_MANAGERS))
    signup.refresh_from_db()
    payment_paid_notification(provider_reference=signup.payment.provider_reference)
    certificate = certificate_create(person=signup.person, course=course, class_date=timezone.localdate(),
                                     signup=signup)

    customer = customer_create(organisation_name="华安科技", contact_name=NAME, email=EMAIL, mobile=MOBILE,
                               address="上海市浦东新区世纪大道 100 号")
    caller = staff("xiaoming", CARE_STAFF)
    call, _ = call_create(customer=customer, purpose="six_monthly", period_key="2026-H2",
                          due_at=timezone.now() - timedelta(hours=1))
    call_log_outcome(call_id=call.pk, disposition=Call.Disposition.COMPLETED, acting_user=caller,
                     note="客户说设备运行良好，韩女士的手机 13912345678")
    complaint = complaint_submit(kind="complaint", category="network", summary="网络经常中断",
                                 description="<p>我们办公室的网络每天下午都会中断。</p>", name=NAME, email=EMAIL,
                                 mobile=MOBILE)
    person = Person.objects.get(email=EMAIL)
    assert person.mobile == "+8613912345678"
    return {"person": person, "subscriber": subscriber, "signup": signup, "certificate": certificate,
            "call": call, "complaint": complaint, "customer": customer}


def test_the_lookup_finds_every_record_by_email_or_by_mobile(demo_person):
    for query in ({"email": EMAIL}, {"mobile": MOBILE}, {"mobile": "+86 139 1234 5678"}):
        found = {f.registration.label for f in export.person_lookup(**query).findings}
        assert {"home.Person", "home.Consent", "newsletter.Subscriber", "training.Signup", "training.Booking",
                "training.Payment", "training.Certificate", "care.Call", "care.Complaint"} <= found, query


def test_a_care_manager_exports_everything_in_one_action(client, manager, demo_person):
    client.force_login(manager)
    page = client.get("/admin/privacy/search/", {"email": EMAIL})
    html = page.content.decode()
    for label in ("newsletter.Subscriber", "training.Certificate", "care.Call", "care.Complaint", "home.Consent"):
        assert f'data-model="{label}"' in html
    assert demo_person["certificate"].number in html
    assert AccessLog.objects.filter(user=manager, person=demo_person["person"]).exists()  # the search is logged

    response = client.post("/admin/privacy/search/act/", {"action": "export", "email": EMAIL, "mobile": ""})
    request = RightsRequest.objects.get()
    assert response["Location"] == f"/admin/rights_requests/inspect/{request.pk}/"
    assert request.kind == "access" and request.state == "completed" and request.handled_by == manager
    assert request.handled_at and "Certificates: 1" in request.outcome or "证书: 1" in request.outcome

    download = client.get(f"/admin/privacy/requests/{request.pk}/archive/")
    assert download["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        names = set(archive.namelist())
        data = json.loads(archive.read("data.json"))
        certificates_csv = archive.read("training-Certificate.csv").decode("utf-8-sig")
        complaint_csv = archive.read("care-Complaint.csv").decode("utf-8-sig")
    records = data["records"]
    assert {"data.json", "newsletter-Subscriber.csv", "training-Signup.csv", "care-Call.csv"} <= names
    assert records["newsletter.Subscriber"]["rows"][0]["status"] in {"active", "有效", "已订阅"} or \
        records["newsletter.Subscriber"]["rows"][0]["confirmed_at"]
    assert records["training.Signup"]["rows"][0]["status"]
    assert records["training.Certificate"]["rows"][0]["number"] == demo_person["certificate"].number
    assert records["care.Call"]["rows"][0]["notes"].startswith("客户说设备运行良好")
    assert "网络经常中断" in complaint_csv and demo_person["certificate"].number in certificates_csv
    purposes = {row["purpose"] for row in records["home.Consent"]["rows"]}
    assert len(purposes) >= 2  # the journal and the training terms, from the ledger
    assert records["home.Person"]["rows"][0]["name"] == NAME


def test_after_erasure_nothing_personal_is_found_and_the_certificate_still_verifies(client, manager, demo_person):
    client.force_login(manager)
    refused = client.post("/admin/privacy/search/act/", {"action": "erase", "email": EMAIL, "mobile": MOBILE})
    assert not RightsRequest.objects.exists()  # no confirmation box ticked: nothing done, nothing recorded
    assert refused.status_code == 302
    response = client.post("/admin/privacy/search/act/",
                           {"action": "erase", "email": EMAIL, "mobile": MOBILE, "confirm": "1"})
    request = RightsRequest.objects.get()
    assert response["Location"] == f"/admin/rights_requests/inspect/{request.pk}/"
    assert request.kind == "erasure" and request.state == "completed" and request.handled_by == manager
    assert request.outcome

    for query in ({"email": EMAIL}, {"mobile": MOBILE}):
        left = {f.registration.label for f in export.person_lookup(**query).findings}
        assert left <= {"home.RightsRequest"}, left  # only the record of the request itself
        page = client.get("/admin/privacy/search/", query).content.decode()
        assert 'data-testid="nothing-found"' in page and NAME not in page

    person = Person.objects.get(pk=demo_person["person"].pk)
    assert (person.name, person.email, person.mobile, person.do_not_contact) == ("", "", "", True)
    assert not any(c.granted for c in Consent.objects.filter(person=person).order_by("-created_at")[:1])

    # What the law and accounting need is kept, without the name.
    from care.models import Call, Complaint
    from training.models import Certificate, Payment

    certificate = Certificate.objects.get(pk=demo_person["certificate"].pk)
    assert certificate.status == "valid" and NAME not in certificate.holder_name and not certificate.pdf
    assert Payment.objects.get(pk=demo_person["signup"].payment_id).status == "paid"
    assert Call.objects.get(pk=demo_person["call"].pk).notes == ""
    complaint = Complaint.objects.get(pk=demo_person["complaint"].pk)
    assert complaint.description == "" and complaint.category == "network"

    verify = client.get(f"/en/certificates/verify/{certificate.number}/")
    html = verify.content.decode()
    assert verify.status_code == 200
    assert "This certificate is genuine and currently valid." in html
    holder = re.search(r'<th scope="row">Holder</th><td>([^<]*)</td>', html).group(1)
    assert holder.startswith("韩") and "*" in holder and "梅" not in holder[1:].replace("*", "")
    assert NAME not in html


def test_a_refusal_is_recorded_with_its_reason(client, manager, demo_person):
    client.force_login(manager)
    client.post("/admin/privacy/search/act/", {"action": "refuse", "kind": "erasure", "email": EMAIL, "reason": ""})
    assert not RightsRequest.objects.exists()
    client.post("/admin/privacy/search/act/", {"action": "refuse", "kind": "erasure", "email": EMAIL,
                                               "reason": "An open complaint is still being handled."})
    request = RightsRequest.objects.get()
    assert request.state == "refused" and request.refusal_reason == "An open complaint is still being handled."
    assert request.handled_by == manager and request.handled_at
    page = client.get(f"/admin/rights_requests/inspect/{request.pk}/").content.decode()
    assert "An open complaint is still being handled." in page
    listing = client.get("/admin/rights_requests/").content.decode()
    assert EMAIL in listing
    assert Person.objects.get(email=EMAIL).name == NAME  # nothing erased


def test_a_public_erasure_request_is_carried_out_by_a_care_manager(client, manager, demo_person):
    from home.services.rights import rights_request_confirm, rights_request_submit

    request = rights_request_submit(email=EMAIL, kind="erasure", language="en")
    rights_request_confirm(token=request.token)
    client.force_login(manager)
    page = client.get(f"/admin/rights_requests/inspect/{request.pk}/").content.decode()
    assert 'name="action" value="erase"' in page
    confirm = client.post(f"/admin/privacy/requests/{request.pk}/act/", {"action": "erase"})
    # First a confirmation step naming what will be removed; nothing is erased yet.
    summary = confirm.content.decode()
    assert confirm.status_code == 200 and 'data-testid="erase-summary"' in summary and 'name="confirmed"' in summary
    assert Person.objects.filter(email=EMAIL).exists()
    client.post(f"/admin/privacy/requests/{request.pk}/act/", {"action": "erase", "confirmed": "1"})
    request.refresh_from_db()
    assert request.state == "completed"
    assert not Person.objects.filter(email=EMAIL).exists()


def test_the_access_log_is_reviewed_by_person_and_by_staff_member(client, manager, demo_person):
    other = staff("xiaohong", CARE_STAFF)
    AccessLog.objects.create(user=other, person=demo_person["person"], what="care call screen: call 1")
    AccessLog.objects.create(user=other, person=None, what="training roster of class 3")
    client.force_login(manager)
    by_person = client.get("/admin/access_log/", {"q": EMAIL}).content.decode()
    assert "care call screen: call 1" in by_person and "training roster of class 3" not in by_person
    by_staff = client.get("/admin/access_log/", {"user": other.pk}).content.decode()
    assert "care call screen: call 1" in by_staff and "training roster of class 3" in by_staff
    assert client.get("/admin/access_log/add/").status_code in (302, 403, 404)  # append-only


@pytest.mark.parametrize("role, allowed", [(CARE_MANAGERS, True), (CARE_STAFF, False), (EDITORS, False)])
def test_only_care_managers_handle_personal_data(client, role, allowed, home_pages):
    client.force_login(staff("someone", role))
    for path in ("/admin/privacy/search/", "/admin/rights_requests/", "/admin/access_log/"):
        response = client.get(path)
        assert (response.status_code == 200) is allowed, (path, response.status_code)
    response = client.post("/admin/privacy/search/act/", {"action": "export", "email": EMAIL})
    assert RightsRequest.objects.exists() is allowed
    assert response["Location"].startswith("/admin/rights_requests/inspect/") is allowed
