// A table wider than its box (a matrix, a wide table on a phone) scrolls sideways inside its
// .table-wrap. So that it can be scrolled from the keyboard too (WCAG 2.1.1; axe-core's
// "scrollable-region-focusable"), a wrapper that does overflow takes the focus and is named,
// for screen readers, after the heading above it. Checked on load, after htmx swaps new
// content in, and when the window's width changes; a wrapper that fits again lets go.
(function () {
  function nameOf(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) { return caption.textContent.trim(); }
    for (var el = wrap.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) { return el.textContent.trim(); }
    }
    var section = wrap.closest("section");
    var heading = section && section.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : "";
  }

  function mark() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.dataset.scrollRegion = "1";
        var name = nameOf(wrap);
        if (name) { wrap.setAttribute("role", "region"); wrap.setAttribute("aria-label", name); }
      } else if (!scrolls && wrap.dataset.scrollRegion) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.scrollRegion;
      }
    });
  }

  var pending = null;
  function soon() {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(function () { pending = null; mark(); });
  }
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", soon);
  window.addEventListener("resize", soon);
})();
