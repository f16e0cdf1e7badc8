/* observatoire: before printing, find the tables too wide for an A4 portrait page.
 *
 * Each table is measured at its narrowest (a copy out of the page, in print
 * type and cell padding). One that cannot narrow to a portrait page goes on
 * a landscape page with what belongs to it: its heading and reading guide,
 * or the whole chart when it is a chart's data table (a wrapper of class
 * ``paysage``); one too wide for that as well is set in smaller type
 * (``large``), then, if need be, with every cell wrapping (``a-la-ligne``).
 * No column is ever cut off. */
(function () {
  var PORTRAIT_PX = 680; /* A4 portrait less the margins, CSS pixels (96 per inch) */
  var LANDSCAPE_PX = 1010; /* A4 landscape (297 mm) less the margins */
  var M = "table.observatoire-mesure";
  var RULES =
    M + " { font-size: 8.5pt !important; width: auto !important; }" +
    M + " th, " + M + " td { padding: 2pt 4pt !important; }" +
    M + " thead th { white-space: normal !important; }" +
    M + " thead th.num, " + M + " thead th.col_heading { min-width: 4.5em !important; }" +
    M + " tbody th { min-width: 8em !important; }" +
    M + ".large { font-size: 7.5pt !important; }" +
    M + ".large th, " + M + ".large td { padding: 1.5pt 3pt !important; }" +
    M + ".a-la-ligne th, " + M + ".a-la-ligne td { white-space: normal !important; }";

  function narrowest(t, classes) {
    /* a table in a 1 px wide box takes its narrowest width */
    var box = document.createElement("div");
    box.style.cssText =
      "position: absolute; left: -100000px; top: 0; width: 1px; visibility: hidden";
    var copy = t.cloneNode(true);
    copy.classList.remove("large", "a-la-ligne");
    copy.classList.add("observatoire-mesure");
    for (var i = 0; i < classes.length; i++) copy.classList.add(classes[i]);
    box.appendChild(copy);
    document.body.appendChild(box);
    var width = copy.offsetWidth;
    box.remove();
    return width;
  }

  function isHeading(el) {
    return el && /^H[2-6]$/.test(el.tagName);
  }

  function landscape(t) {
    /* what goes with the table: the chart it belongs to, else its scroll
       region; with the heading just before and the reading guide after */
    var core = t.closest("figure") || t.closest(".table-wrap") || t;
    if (core.parentElement && core.parentElement.classList.contains("paysage")) return;
    var first = core, last = core;
    while (isHeading(first.previousElementSibling)) first = first.previousElementSibling;
    var next = last.nextElementSibling;
    if (next && next.matches("p.guide")) last = next;
    var wrap = document.createElement("div");
    wrap.className = "paysage";
    first.parentNode.insertBefore(wrap, first);
    var el = first;
    while (el) {
      var after = el === last ? null : el.nextElementSibling;
      wrap.appendChild(el);
      el = after;
    }
  }

  function mark() {
    var style = document.createElement("style");
    style.textContent = RULES;
    document.head.appendChild(style);
    var tables = document.querySelectorAll("table");
    for (var i = 0; i < tables.length; i++) {
      var t = tables[i];
      if (t.parentElement.closest("table")) continue; /* a table inside a cell */
      var large = false, wrapped = false;
      if (narrowest(t, []) > PORTRAIT_PX) {
        landscape(t);
        large = narrowest(t, []) > LANDSCAPE_PX;
        wrapped = large && narrowest(t, ["large"]) > LANDSCAPE_PX;
      }
      t.classList.toggle("large", large);
      t.classList.toggle("a-la-ligne", wrapped);
    }
    style.remove();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  window.addEventListener("beforeprint", mark);
})();
