/* Knowledge checks answered in place (progressive enhancement).
 *
 * Without this script each check is a plain form: it posts and the server redirects back to
 * the lesson with the result. With it, the answer is posted with fetch (Accept: application/json)
 * and the verdict and explanation appear under the question; when the answer finishes the lesson
 * the page reloads to show the new progress. Any failure falls back to the plain form post.
 * The right answer is never in the page: the server says whether an answer was right.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var text = {
    correct: script.getAttribute("data-correct"),
    wrong: script.getAttribute("data-wrong"),
  };

  function verdict(data) {
    var badge = document.createElement("p");
    badge.className = "badge " + (data.correct ? "badge-success" : "badge-warning");
    badge.textContent = data.correct ? text.correct : text.wrong;
    return badge;
  }

  function show(form, data) {
    var feedback = form.querySelector(".check-feedback");
    if (!feedback) return false;
    feedback.textContent = "";
    feedback.appendChild(verdict(data));
    if (data.explanation) {
      var explanation = document.createElement("div");
      explanation.className = "rich-text check-explanation";
      explanation.innerHTML = data.explanation; // editor-written rich text from the server
      feedback.appendChild(explanation);
    }
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-check]") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (data.lesson_completed || data.course_completed) {
          window.location.reload();
          return;
        }
        if (!show(form, data)) throw new Error("no feedback area");
        if (button) button.disabled = false;
      })
      .catch(function () {
        form.submit(); // the server answers the plain post: errors and all
      });
  });
})();
