/* Parcours: the few behaviours every page shares, in a file because the Content-Security-Policy
 * allows no inline script.
 * - The header menu is open on a wide screen and folds into a "Menu" button on a phone.
 * - A <select data-autosubmit> submits its form when it changes (a <noscript> button remains).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
(function () {
  "use strict";
  function followWidth() {
    const menu = document.getElementById("nav-menu");
    if (!menu) return;
    const wide = window.matchMedia("(min-width: 768px)");
    const follow = () => { menu.open = wide.matches; };
    follow();
    wide.addEventListener("change", follow);
  }
  function autosubmit() {
    document.addEventListener("change", (event) => {
      const field = event.target;
      if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
        field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
      }
    });
  }
  autosubmit();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", followWidth);
  } else {
    followWidth();
  }
})();
