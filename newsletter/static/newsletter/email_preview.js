// Email preview: grow each sandboxed email frame to the height of the email it shows, so the
// preview scrolls like a mail program. The frames run no script of their own (sandbox without
// allow-scripts); allow-same-origin only lets this page measure them.
(function () {
  function fit(frame) {
    var doc = frame.contentDocument;
    if (doc && doc.readyState === "complete" && doc.documentElement) {
      frame.style.height = "0px"; // measure the email, not the frame
      frame.style.height = doc.documentElement.scrollHeight + "px";
      frame.dataset.fitted = "1";
    }
  }
  document.querySelectorAll("iframe[data-email]").forEach(function (frame) {
    frame.addEventListener("load", function () { fit(frame); });
    fit(frame);
  });
})();
