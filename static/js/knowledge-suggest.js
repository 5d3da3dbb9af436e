// Complaint form: while the customer types a subject (and picks a product line), suggest knowledge
// articles; when the form is sent after suggestions were shown, tell the server (one beacon).
(function () {
  "use strict";
  var box = document.querySelector("[data-knowledge-suggest]");
  if (!box) { return; }
  var form = box.closest("form");
  var subject = form.querySelector("[name=summary]");
  var line = form.querySelector("[name=product_line]");
  var list = box.querySelector("ul");
  var timer = null;
  var shown = false;

  function render(articles) {
    list.textContent = "";
    articles.forEach(function (article) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = article.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = article.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = articles.length === 0;
    shown = shown || articles.length > 0;
  }

  function lookUp() {
    var query = subject.value.trim();
    if (query.length < 2) { render([]); return; }
    var params = new URLSearchParams({q: query, product_line: line ? line.value : ""});
    fetch(box.dataset.knowledgeSuggest + "?" + params.toString(), {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {articles: []}; })
      .then(function (data) { render(data.articles || []); })
      .catch(function () { render([]); });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 300);
  }

  subject.addEventListener("input", later);
  if (line) { line.addEventListener("change", lookUp); }
  form.addEventListener("submit", function () {
    if (!shown) { return; }
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    navigator.sendBeacon(box.dataset.knowledgeSubmitted, data);
  });
  if (subject.value) { lookUp(); }
}());
