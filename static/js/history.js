// After the browser's Back or Forward, htmx puts back a snapshot of the page (or fetches it):
// the results are those of the restored address, but a snapshot keeps the HTML as first served,
// not what had been typed since, so a search box would show another query (or none). Set the
// fields of every list filter that pushes its address (hx-push-url) from that address's query.
(function () {
  function restoreFilters() {
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll("[hx-push-url]").forEach(function (owner) {
      var fields = owner.elements ? Array.prototype.slice.call(owner.elements) : [owner];
      fields.forEach(function (el) {
        if (!el.name || el.disabled || /^(submit|button|reset|hidden|file)$/.test(el.type)) { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = params.getAll(el.name).indexOf(el.value) !== -1;
        } else {
          el.value = params.has(el.name) ? params.get(el.name) : "";
          if (el.tagName === "SELECT" && el.selectedIndex === -1) { el.selectedIndex = 0; }
        }
      });
    });
  }
  document.addEventListener("htmx:historyRestore", restoreFilters);
})();
