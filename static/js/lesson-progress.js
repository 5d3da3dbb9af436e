/* Course pages: keep a signed-in customer's place in each video lesson (issue 21).
   Reports the position every 15 seconds of playing, on pause and at the end (which marks the lesson
   watched), and starts a video again where it was left. No inline script: CSP allows 'self' only. */
(function () {
  "use strict";
  var EVERY = 15;

  function report(item, video, completed) {
    var form = item.querySelector("form.lesson-progress");
    if (!form) { return; }
    var data = new FormData();
    data.append("position", Math.floor(video.currentTime || 0));
    data.append("seconds", Math.floor(video.currentTime || 0));
    if (completed) { data.append("completed", "1"); }
    fetch(item.getAttribute("data-progress-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value
      }
    }).then(function (response) {
      if (completed && response.ok) {
        var button = form.querySelector("button");
        button.disabled = true;
        button.firstChild.textContent = item.closest("section").getAttribute("data-watched-label") || button.firstChild.textContent;
      }
    });
  }

  document.querySelectorAll("li[data-progress-url]").forEach(function (item) {
    var video = item.querySelector("video");
    if (!video) { return; }
    var last = 0;
    var start = parseInt(item.getAttribute("data-position"), 10) || 0;
    function resume() {
      if (start > 0 && start < video.duration - 1) { video.currentTime = start; }
    }
    // The metadata may have loaded before this deferred script ran: then resume at once.
    if (video.readyState >= 1) { resume(); } else { video.addEventListener("loadedmetadata", resume); }
    video.addEventListener("timeupdate", function () {
      if (Math.abs(video.currentTime - last) >= EVERY) {
        last = video.currentTime;
        report(item, video, false);
      }
    });
    video.addEventListener("pause", function () { if (!video.ended) { report(item, video, false); } });
    video.addEventListener("ended", function () { report(item, video, true); });
  });
}());
