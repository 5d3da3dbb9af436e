"""In Chromium: the course page's script keeps a signed-in customer's place in a video lesson, starts
it again there, and marks the lesson watched when it ends (CSP: a static script, no inline code)."""

import io
import re
import wave

import pytest

from home.models import OutboxMessage
from home.services.customers import customer_signin_request
from training.models import CoursePage, LessonProgress

from ...conftest import wait_until
from .. import certificate_helpers as h


def _silence(seconds: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * 8000 * seconds)
    return buffer.getvalue()


def _serve(body: bytes):
    """A video host answering byte ranges, as real ones do (a player seeks with them)."""

    def handle(route):
        match = re.match(r"bytes=(\d+)-(\d*)", route.request.headers.get("range", ""))
        if not match:
            return route.fulfill(status=200, body=body, headers={"Content-Type": "audio/wav", "Accept-Ranges": "bytes"})
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else len(body) - 1
        route.fulfill(status=206, body=body[start:end + 1], headers={
            "Content-Type": "audio/wav", "Accept-Ranges": "bytes", "Content-Range": f"bytes {start}-{end}/{len(body)}",
        })

    return handle


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_video_position_is_kept_resumed_and_the_end_marks_it_watched(page, live_server, home_pages):
    from django.core.cache import cache

    cache.clear()
    learner = h.person(name="郑爽", email="zheng.shuang@example.com")
    course = h.course(home_pages, title="视频课", level=CoursePage.Level.BASIC_VIDEO, lessons=("第一课",), months=0)
    course.lessons.update(video_url=live_server.url + "/lesson-video/one.webm")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.route("**/lesson-video/*.webm", _serve(_silence(60)))
    customer_signin_request(address=learner.email, language="zh-hans")
    link = re.search(r"(/zh-hans/signin/link/[\w-]+/)", OutboxMessage.objects.get().text).group(1)
    page.goto(live_server.url + link)
    page.get_by_role("button", name="登录我的页面").click()
    page.wait_for_url(re.compile(r"/my/$"))

    page.goto(live_server.url + course.get_url())
    video = page.locator("video")
    wait_until(lambda: video.evaluate("v => v.readyState >= 1"), timeout=15, message="the video loaded")
    video.evaluate("v => { v.muted = true; v.currentTime = 20; return v.play(); }")
    wait_until(lambda: video.evaluate("v => v.currentTime > 20.5"), timeout=15, message="the video playing")
    video.evaluate("v => v.pause()")
    progress = wait_until(lambda: LessonProgress.objects.filter(person=learner, position_seconds__gte=20).first(),
                          timeout=20, message="the position reported")
    assert progress.completed_at is None

    page.reload()  # comes back later: the video starts where it stopped
    wait_until(lambda: video.evaluate("v => v.currentTime >= 19"), timeout=15, message="the video resumed")
    video.evaluate("v => { v.muted = true; v.currentTime = 58; return v.play(); }")
    wait_until(lambda: LessonProgress.objects.filter(person=learner, completed_at__isnull=False).exists(),
               timeout=20, message="the lesson marked watched at its end")
    page.get_by_role("button", name=re.compile("已观看")).wait_for()
    assert page.get_by_role("button", name=re.compile("已观看")).is_disabled()
    assert not [e for e in errors if "Content Security Policy" in e], errors
