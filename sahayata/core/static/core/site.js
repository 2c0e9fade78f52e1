/* Behaviour the pages once carried inline (the Content-Security-Policy allows no inline
   script or handler): a print button, the first refused field focused, and forms that are sent once. No dependencies. */
(function () {
  "use strict";
  // <button data-print>: prints the page (acknowledgement, receipt, certificate).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // A form the server sent back with problems: the cursor goes to the first field it
  // refused (aria-invalid), so the operator reads its message and corrects it at once;
  // what was typed stays as it is.
  var refused = document.querySelector("form [aria-invalid=true]");
  if (refused && !document.querySelector("[autofocus]")) {
    refused.focus();
    if (refused.scrollIntoView) { refused.scrollIntoView({block: "center"}); }
  }
  // <form data-submit-once="#button">: a double click sends the form once (the server also
  // refuses a second use of its form token). The button is disabled after the step it
  // carries is sent, and enabled again when the page comes back from the browser's cache.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    var button = document.querySelector(form.getAttribute("data-submit-once"));
    if (!button) { return; }
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        button.disabled = true;
        button.setAttribute("data-sent", "");
      }, 0);
    });
    window.addEventListener("pageshow", function () {
      if (button.hasAttribute("data-sent")) {  // never one the server disabled
        button.disabled = false;
        button.removeAttribute("data-sent");
      }
    });
  });
}());
