// Send the CSRF token with every htmx request, and say so when the server fails.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr ? event.detail.xhr.status : 0;
  if (status >= 500 || status === 0) {
    var box = document.getElementById("htmx-error");
    if (box) { box.hidden = false; }
  }
});
document.addEventListener("htmx:sendError", function () {
  var box = document.getElementById("htmx-error");
  if (box) { box.hidden = false; }
});
