"use strict";
// The fleet index's search box: hides the rows that do not hold every word typed (or given after the
// page's "#"). It reads text and sets the hidden attribute and textContent only: nothing is inserted as
// markup. Without JavaScript the box stays hidden and every row shows.
(function () {
  var box = document.getElementById("fleet-search");
  var status = document.getElementById("fleet-search-status");
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-search] > li, [data-search] > tbody > tr"));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });

  function filter() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row, i) {
      var hit = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
      row.hidden = !hit;
      shown += hit ? 1 : 0;
    });
    status.textContent = words.length ? shown + " of " + rows.length + " rows match" : "";
  }

  box.addEventListener("input", filter);
  document.getElementById("fleet-search-box").hidden = false;
  if (location.hash.length > 1) {
    try {
      box.value = decodeURIComponent(location.hash.slice(1));
    } catch (malformed) {
      box.value = location.hash.slice(1);
    }
    filter();
  }
})();
