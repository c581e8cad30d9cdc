// copy.js puts a one-time link, a new API key or an ingestion token on the clipboard. A button
// marked data-copy="<id>" copies the value (or text) of the element with that id. Where the
// clipboard API is refused (plain HTTP on another host, an old browser, a denied permission)
// the text is selected instead, so Ctrl+C / long-press finishes the job, and the button says
// which of the two happened.
(function () {
  "use strict";

  function textOf(el) {
    return el.value !== undefined ? el.value : el.textContent;
  }

  function selectText(el) {
    if (typeof el.select === "function") {
      el.focus();
      el.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function say(button, text) {
    var status = button.parentNode && button.parentNode.querySelector(".copy-status");
    if (status) status.textContent = text;
  }

  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("[data-copy]") : null;
    if (!button) return;
    var el = document.getElementById(button.getAttribute("data-copy"));
    if (!el) return;
    var text = textOf(el);
    var fallback = function () {
      selectText(el);
      say(button, "Selected: press Ctrl+C (or ⌘C) to copy.");
    };
    if (!navigator.clipboard || !window.isSecureContext) {
      fallback();
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      say(button, "Copied.");
    }, fallback);
  });
})();
