/* The print view's "Print" button: shown only when JavaScript can call window.print()
   (no inline handler: pages are served with a Content-Security-Policy). */
(function () {
  "use strict";
  document.querySelectorAll("button[data-print-button]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
