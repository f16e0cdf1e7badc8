/* observatoire: before printing, give a table too wide for an A4 portrait page
 * the class ``large``: the print stylesheet sets it on a landscape page. */
(function () {
  var PORTRAIT_PX = 680; /* A4 width less the margins, in CSS pixels (96 per inch) */
  function mark() {
    var tables = document.querySelectorAll("table");
    for (var i = 0; i < tables.length; i++) {
      var t = tables[i], keep = t.style.width;
      t.style.width = "max-content";
      /* measured in screen type; printed in 8.5 pt (11.3 px) type */
      var size = parseFloat(getComputedStyle(t).fontSize) || 16;
      var wide = t.offsetWidth * (11.3 / size) > PORTRAIT_PX;
      t.style.width = keep;
      t.classList.toggle("large", wide);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  window.addEventListener("beforeprint", mark);
})();
