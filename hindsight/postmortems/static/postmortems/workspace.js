/* The post-mortem workspace: jump from a review finding to its line.
   Loaded as a static file (no inline script, so a strict CSP can forbid them). */
(function () {
  "use strict";

  function boxFor(part) {
    if (part === "front") {
      var details = document.querySelector("details.front");
      if (details) { details.open = true; }
      return document.getElementById("front");
    }
    if (part === "head") { return document.getElementById("head"); }
    return document.getElementById("part-" + part + "-body");
  }

  function selectLine(box, line) {
    var lines = box.value.split("\n");
    var index = Math.min(Math.max(line, 1), lines.length) - 1;
    var start = 0;
    for (var i = 0; i < index; i++) { start += lines[i].length + 1; }
    box.focus();
    box.setSelectionRange(start, start + lines[index].length);
    var height = box.scrollHeight / Math.max(lines.length, 1);
    box.scrollTop = Math.max(0, index * height - box.clientHeight / 2);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.goto") : null;
    if (!link) { return; }
    var box = boxFor(link.dataset.part);
    if (!box) { return; }
    event.preventDefault();
    box.scrollIntoView({ block: "center" });
    selectLine(box, parseInt(link.dataset.line, 10) || 1);
  });
})();
