import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from wagtail.models import ModelLogEntry

from home.models import Person
from home.roles import CARE_STAFF, EDITORS
from newsletter.emails import reader_token
from newsletter.models import ReaderReply, SectionAnswer
from newsletter.services import NewsletterError
from newsletter.services.engagement import reply_clean, reply_create, reply_set_status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def _block(issue, block_type):
    return next(child for child in issue.body if child.block_type == block_type)


def test_web_reader_answers_once_per_section_and_can_change_the_answer(client, journal):
    issue = journal["issue_en"]
    helpful = _block(issue, "helpful")
    url = f"/en/journal/answer/{issue.pk}/{helpful.id}/"
    response = client.post(url, {"choice": "yes"}, follow=True)
    assert "Thank you for your answer." in response.content.decode()
    client.post(url, {"choice": "no"})
    assert SectionAnswer.objects.filter(issue=issue).count() == 1
    assert SectionAnswer.objects.get().choice == "no"
    Client().post(url, {"choice": "yes"})  # another reader (another session)
    html = client.get(issue.url).content.decode()
    assert "2 readers answered; 1 found it helpful." in html


def test_poll_answer_on_the_web(client, journal):
    issue = journal["issue"]
    poll = _block(issue, "poll")
    client.post(f"/zh-hans/journal/answer/{issue.pk}/{poll.id}/", {"choice": "1"})
    answer = SectionAnswer.objects.get()
    assert (answer.choice, answer.source, answer.block_id) == ("1", "web", poll.id)
    response = client.post(f"/zh-hans/journal/answer/{issue.pk}/{poll.id}/", {"choice": "9"}, follow=True)
    assert "请选择一个答案。" in response.content.decode()
    assert SectionAnswer.objects.get().choice == "1"


def test_email_link_asks_to_confirm_and_counts_one_per_reader_token(client, journal):
    issue = journal["issue_en"]
    helpful = _block(issue, "helpful")
    rid = reader_token("subscriber-7")
    url = f"/en/journal/answer/{issue.pk}/{helpful.id}/"
    # a mail scanner following the link records nothing
    page = client.get(url, {"r": rid, "choice": "yes"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirm your answer" in html and "Your answer: Yes" in html and rid in html
    assert not SectionAnswer.objects.exists()
    for _ in range(3):
        Client().post(url, {"r": rid, "choice": "yes"})
    answer = SectionAnswer.objects.get()
    assert answer.source == "email" and rid not in answer.reader_key
    Client().post(url, {"r": reader_token("subscriber-8"), "choice": "no"})
    assert SectionAnswer.objects.count() == 2


def test_forged_reader_token_is_refused(client, journal):
    issue = journal["issue_en"]
    helpful = _block(issue, "helpful")
    url = f"/en/journal/answer/{issue.pk}/{helpful.id}/"
    response = client.post(url, {"r": "subscriber-7:forged", "choice": "yes"})
    assert response.status_code == 400
    assert "This answer link is not valid" in response.content.decode()
    assert not SectionAnswer.objects.exists()


def test_answers_are_rate_limited(journal):
    issue = journal["issue_en"]
    helpful = _block(issue, "helpful")
    client = Client()
    codes = [client.post(f"/en/journal/answer/{issue.pk}/{helpful.id}/", {"choice": "yes"}).status_code
             for _ in range(32)]
    assert codes[0] == 302 and codes[-1] == 429


def test_unknown_section_or_draft_issue_is_not_found(client, journal):
    issue = journal["issue_en"]
    assert client.post(f"/en/journal/answer/{issue.pk}/nope/", {"choice": "yes"}).status_code == 404
    issue.unpublish()
    helpful = _block(issue, "helpful")
    assert client.post(f"/en/journal/answer/{issue.pk}/{helpful.id}/", {"choice": "yes"}).status_code == 404


def test_reply_is_sanitised_and_linked_to_the_person(journal):
    body = ('<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">bad</a> '
            '<a href="https://example.com/">good</a> <img src=x onerror=alert(1)><strong>ok</strong></p>')
    reply = reply_create(issue_id=journal["issue"].pk, body=body, email="Reader@Example.com", name=" Li  Na ",
                         source="email")
    assert "<script" not in reply.body and "onclick" not in reply.body and "<img" not in reply.body
    assert "javascript:" not in reply.body
    assert '<a href="https://example.com/" rel="nofollow ugc noopener">good</a>' in reply.body
    assert "<strong>ok</strong>" in reply.body
    assert reply.person == Person.objects.get(email="reader@example.com")
    assert (reply.name, reply.source, reply.status) == ("Li Na", "email", "new")


def test_plain_text_reply_becomes_paragraphs():
    assert reply_clean("line one\nline two\n\nsecond <3 para") == "<p>line one<br>line two</p><p>second &lt;3 para</p>"


def test_reply_needs_a_message_and_a_valid_email(journal):
    with pytest.raises(NewsletterError):
        reply_create(issue_id=None, body="  ", email="a@example.com")
    with pytest.raises(NewsletterError):
        reply_create(issue_id=None, body="hello", email="not-an-email")
    assert not ReaderReply.objects.exists()


def test_reply_form_on_the_web(client, journal):
    issue = journal["issue_en"]
    url = f"/en/journal/reply/{issue.pk}/"
    form = client.get(url).content.decode()
    assert '<label for="id_email">Your email</label>' in form
    bad = client.post(url, {"email": "x", "body": "Hi"})
    assert bad.status_code == 400
    done = client.post(url, {"name": "Ann", "email": "ann@example.com", "body": "Great issue!"})
    assert "Your message has reached the editors" in done.content.decode()
    reply = ReaderReply.objects.get()
    assert reply.issue_id == issue.pk and reply.body == "<p>Great issue!</p>" and reply.source == "web"


def _staff(role, username):
    user = get_user_model().objects.create_user(username, password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_care_staff_work_through_the_reply_queue(journal):
    reply = reply_create(issue_id=journal["issue"].pk, body="Question about firmware", email="q@example.com")
    care = Client()
    carer = _staff(CARE_STAFF, "carer")
    care.force_login(carer)
    listing = care.get("/admin/journal_replies/")
    assert listing.status_code == 200 and "q@example.com" in listing.content.decode()
    response = care.post(f"/admin/journal_replies/edit/{reply.pk}/", {"status": "answered", "note": "Called back"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.status, reply.handled_by, reply.note) == ("answered", carer, "Called back")
    assert ModelLogEntry.objects.filter(action="newsletter.reply_status", object_id=str(reply.pk)).exists()

    editor = Client()
    editor.force_login(_staff(EDITORS, "ed"))
    assert editor.get("/admin/journal_replies/").status_code == 200
    assert editor.post(f"/admin/journal_replies/edit/{reply.pk}/", {"status": "new"}).status_code in (302, 403)
    reply.refresh_from_db()
    assert reply.status == "answered"


def test_reply_status_service_refuses_unknown_status(journal):
    reply = reply_create(issue_id=None, body="x", email="q@example.com")
    with pytest.raises(NewsletterError):
        reply_set_status(reply_id=reply.pk, status="lost", acting_user=None)
