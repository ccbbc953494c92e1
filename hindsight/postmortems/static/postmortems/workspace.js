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

  // A paste past the limit is stopped here with the reason, before the browser sends a
  // request the server would refuse anyway; the text stays in the editor.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = document.getElementById("editor");
    if (!form || !form.dataset.maxChars) { return; }
    var total = 0;
    form.querySelectorAll("textarea").forEach(function (box) { total += box.value.length; });
    var limit = parseInt(form.dataset.maxChars, 10);
    if (total <= limit) { return; }
    event.preventDefault();
    var status = document.getElementById("save-status");
    if (status) {
      status.className = "error";
      status.textContent = "Not saved: the post-mortem is " + total.toLocaleString("en") +
        " characters long; the limit is " + limit.toLocaleString("en") +
        ". Your text is still here: shorten it, or move long logs to a linked file.";
    }
  });

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
