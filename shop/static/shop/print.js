/* The receipt's print button. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("#print-receipt")) { window.print(); }
  });
}());
