// Countdown to each TCA on the conjunction board and event page (data-tca: ISO 8601 time).
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    document.querySelectorAll(".countdown[data-tca]").forEach(function (node) {
      var left = Math.round((Date.parse(node.dataset.tca) - Date.now()) / 1000);
      if (isNaN(left)) { return; }
      if (left <= 0) { node.textContent = "TCA passed"; return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60);
      node.textContent = "T-" + (d ? d + " d " : "") + pad(h) + ":" + pad(m) + ":" + pad(left % 60);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
