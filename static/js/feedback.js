// Feedback that is seen: the htmx error toast clears on the next success (or when dismissed),
// and after a 422 swap the keyboard focus goes to the first invalid field, announced to screen readers.
(function () {
  function toast() { return document.getElementById("htmx-error"); }

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var box = toast();
    if (box && xhr && xhr.status >= 200 && xhr.status < 400) { box.hidden = true; }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-dismiss-toast]") : null;
    var box = toast();
    if (button && box) { box.hidden = true; }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 422) { return; }
    var scope = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : document;
    var field = scope.querySelector('[aria-invalid="true"]') || document.querySelector('[aria-invalid="true"]');
    if (!field) { return; }
    field.focus();
    var status = document.getElementById("form-status");
    if (status) {
      // Cleared first, so the same words are announced again after a second failed try.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = status.getAttribute("data-message") || ""; }, 50);
    }
  });
})();
