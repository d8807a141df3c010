// The tasks board: drag a task onto another quadrant, or between two tasks of a quadrant, and
// htmx posts the move and swaps the board. The buttons on each task do the same without dragging
// (and without JavaScript, as plain forms). After a swap the keyboard focus goes back to the
// button that was pressed on the moved task, so a keyboard user can keep moving it.
(function () {
  var dragged = null;
  var refocus = null;

  function dropPoint(quadrant, y) {
    // The task the dragged one is dropped before: the first whose middle lies below the pointer.
    var tasks = quadrant.querySelectorAll(".board-task");
    for (var i = 0; i < tasks.length; i++) {
      if (tasks[i] === dragged) { continue; }
      var box = tasks[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) { return tasks[i].dataset.taskId; }
    }
    return "";
  }

  document.addEventListener("dragstart", function (event) {
    var task = event.target.closest && event.target.closest(".board-task[draggable=true]");
    if (!task) { return; }
    dragged = task;
    task.classList.add("board-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", task.dataset.moveUrl);
  });
  document.addEventListener("dragover", function (event) {
    var quadrant = dragged && event.target.closest && event.target.closest(".quadrant[data-quadrant]");
    if (quadrant) { event.preventDefault(); quadrant.classList.add("board-drop"); }
  });
  document.addEventListener("dragleave", function (event) {
    var quadrant = event.target.closest && event.target.closest(".quadrant[data-quadrant]");
    if (quadrant && !quadrant.contains(event.relatedTarget)) { quadrant.classList.remove("board-drop"); }
  });
  document.addEventListener("drop", function (event) {
    var quadrant = dragged && event.target.closest && event.target.closest(".quadrant[data-quadrant]");
    if (!quadrant) { return; }
    event.preventDefault();
    quadrant.classList.remove("board-drop");
    var task = dragged;
    dragged = null;
    var csrf = document.querySelector('meta[name="csrf-token"]');
    if (window.htmx) {
      window.htmx.ajax("POST", task.dataset.moveUrl, {
        target: "#board", swap: "outerHTML",
        values: {quadrant: quadrant.dataset.quadrant, before: dropPoint(quadrant, event.clientY),
                 csrf_token: csrf ? csrf.content : ""}});
    }
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("board-dragging"); }
    dragged = null;
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent &&
                 event.detail.requestConfig.triggeringEvent.submitter;
    var task = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest(".board-task");
    refocus = button && task ? {id: task.id, focus: button.dataset.focus} : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!refocus) { return; }
    var task = document.getElementById(refocus.id);
    var target = task && (task.querySelector('[data-focus="' + refocus.focus + '"]:not([disabled])') ||
                          task.querySelector(".item-title a"));
    refocus = null;
    if (target) { target.focus(); }
  });
}());
