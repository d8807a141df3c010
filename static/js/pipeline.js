// The pipeline board: drag a card onto another stage's column to move it (htmx posts the move and
// swaps the board). The arrow buttons and the stage list do the same without dragging.
(function () {
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".pipeline-card[draggable=true]");
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.moveUrl);
  });
  document.addEventListener("dragover", function (event) {
    var column = dragged && event.target.closest && event.target.closest(".pipeline-column");
    if (column) { event.preventDefault(); column.classList.add("pipeline-drop"); }
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".pipeline-column");
    if (column) { column.classList.remove("pipeline-drop"); }
  });
  document.addEventListener("drop", function (event) {
    var column = dragged && event.target.closest && event.target.closest(".pipeline-column");
    if (!column) { return; }
    event.preventDefault();
    column.classList.remove("pipeline-drop");
    var url = dragged.dataset.moveUrl;
    dragged = null;
    if (window.htmx) {
      window.htmx.ajax("POST", url, {target: "#board", swap: "outerHTML",
                                     values: {stage_id: column.dataset.stageId}});
    }
  });
  document.addEventListener("dragend", function () { dragged = null; });
}());
