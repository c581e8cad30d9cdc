// confirm.js asks before an action that cannot be undone in one click: publishing a report,
// revoking or rotating a link, revoking a key or token, deleting an alert rule, disabling an
// account. A form, or the button that submits it, carries data-confirm="<question>"; the
// question is put to window.confirm and a "Cancel" posts nothing. Without JavaScript the
// same forms show an "I'm sure" box (a <noscript> required checkbox) instead, so the guard
// does not depend on this file.
(function () {
  "use strict";

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || form.tagName !== "FORM") return;
    var button = e.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!question) return;
    if (!window.confirm(question)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
})();
