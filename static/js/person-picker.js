// People pickers (the person_field macro): htmx fills the listbox under the input with the
// people matching what is typed; this script shows it, moves through it with the arrow keys,
// chooses with Enter or a click (the input gets "Name (username)", which the server resolves),
// and closes it with Escape or when the focus leaves. Without it the typed text is resolved on
// submit all the same.
(function () {
  function parts(node) {
    var box = node && node.closest && node.closest(".person-picker");
    if (!box) { return null; }
    return {box: box, input: box.querySelector("input[role=combobox]"),
            list: box.querySelector("[role=listbox]")};
  }
  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]:not([aria-disabled])"));
  }
  function open(p, show) {
    p.list.hidden = !show;
    p.input.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) { p.input.removeAttribute("aria-activedescendant"); }
  }
  function activate(p, option) {
    options(p).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    if (option) {
      p.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({block: "nearest"});
    }
  }
  function choose(p, option) {
    var picked = p.box.querySelector(".picked");
    if (picked) {  // several people: one more ticked box, the search box emptied
      var name = p.input.name, id = option.dataset.id;
      var box = picked.querySelector("input[value='" + id + "']");
      if (box) {
        box.checked = true;
      } else {
        var item = document.createElement("li");
        var label = document.createElement("label");
        var tick = document.createElement("input");
        tick.type = "checkbox"; tick.name = name; tick.value = id; tick.checked = true;
        label.appendChild(tick);
        label.appendChild(document.createTextNode(" " + option.dataset.name));
        item.appendChild(label);
        picked.appendChild(item);
      }
      p.input.value = "";
    } else {
      p.input.value = option.dataset.value;
      // a list's filter: show the list for the person chosen
      if (p.input.form && p.input.form.classList.contains("filters")) { p.input.form.requestSubmit(); }
    }
    open(p, false);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var p = parts(event.detail.target);
    if (p && event.detail.target === p.list) {
      open(p, document.activeElement === p.input && p.list.children.length > 0);
    }
  });
  document.addEventListener("keydown", function (event) {
    var p = parts(event.target);
    if (!p || event.target !== p.input) { return; }
    var all = options(p);
    var current = p.list.querySelector("[aria-selected=true]");
    var index = all.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (p.list.hidden && all.length) { open(p, true); }
      var next = event.key === "ArrowDown" ? index + 1 : index - 1;
      if (all.length) { activate(p, all[(next + all.length) % all.length]); }
    } else if (event.key === "Enter" && !p.list.hidden && current) {
      event.preventDefault();
      choose(p, current);
    } else if (event.key === "Escape" && !p.list.hidden) {
      event.preventDefault();
      open(p, false);
    }
  });
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".person-picker [role=option]");
    if (option && !option.hasAttribute("aria-disabled")) {
      event.preventDefault();
      choose(parts(option), option);
    }
  });
  document.addEventListener("focusout", function (event) {
    var p = parts(event.target);
    if (p && event.target === p.input) { open(p, false); }
  });
})();
