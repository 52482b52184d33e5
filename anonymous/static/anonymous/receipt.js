// Copy and Print for the receipt page. Our own few lines; without JavaScript the
// receipt is on the page to write down and the buttons stay hidden.
(function () {
  var copy = document.querySelector("[data-copy-receipt]");
  var print = document.querySelector("[data-print-page]");
  var status = document.querySelector(".app-copy-status");
  var receipt = document.getElementById("receipt");
  if (copy && receipt && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(receipt.textContent.trim()).then(function () {
        if (status) status.textContent = "The receipt is copied. Paste it somewhere safe.";
      });
    });
  }
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
