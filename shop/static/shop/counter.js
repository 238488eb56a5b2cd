/* The counter form: +/− buttons and the running total. The server checks everything again. */
(function () {
  "use strict";
  function total(form) {
    var sum = 0;
    form.querySelectorAll(".goods-row").forEach(function (row) {
      var input = row.querySelector("input.qty");
      sum += (parseInt(input.value, 10) || 0) * parseInt(row.dataset.price, 10);
    });
    var out = document.getElementById("counter-total");
    out.textContent = sum;
    out.classList.toggle("over", sum > parseInt(out.dataset.balance || "0", 10));
  }
  function start() {
    var form = document.getElementById("counter-form");
    if (!form) { return; }
    form.addEventListener("click", function (event) {
      var button = event.target.closest(".qty-minus, .qty-plus");
      if (!button) { return; }
      var input = button.parentNode.querySelector("input.qty");
      var value = (parseInt(input.value, 10) || 0) + (button.classList.contains("qty-plus") ? 1 : -1);
      input.value = Math.max(0, Math.min(99, value));
      total(form);
    });
    form.addEventListener("input", function () { total(form); });
    form.addEventListener("submit", function () {
      var confirm = document.getElementById("confirm");
      if (confirm) { confirm.disabled = true; }
    });
    total(form);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
