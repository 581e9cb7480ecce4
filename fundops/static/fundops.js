/* Page behaviour without inline handlers (the Content-Security-Policy forbids them). */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  /* <select data-autosubmit>: submit its form when the choice changes (unit switch). */
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
