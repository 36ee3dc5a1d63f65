/* Parcours: the few behaviours every page shares, in a file because the Content-Security-Policy
 * allows no inline script.
 * - The header menu is open on a wide screen and folds into a "Menu" button on a phone; its
 *   moments are dropdowns on a wide screen, unfolded on a phone.
 * - A <select data-autosubmit> submits its form when it changes (a <noscript> button remains).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
(function () {
  "use strict";
  function followWidth() {
    const menu = document.getElementById("nav-menu");
    if (!menu) return;
    const wide = window.matchMedia("(min-width: 768px)");
    const groups = Array.from(menu.querySelectorAll("details.nav-group"));
    // Desktop: the menu open, each moment a closed dropdown. Phone: the menu folded, and once
    // opened every moment unfolded under its name.
    const follow = () => {
      menu.open = wide.matches;
      groups.forEach((g) => { g.open = !wide.matches; });
    };
    follow();
    wide.addEventListener("change", follow);
    // On a desktop one moment at a time; a click elsewhere or Escape closes it.
    groups.forEach((g) => g.addEventListener("toggle", () => {
      if (wide.matches && g.open) groups.forEach((o) => { if (o !== g) o.open = false; });
    }));
    document.addEventListener("click", (event) => {
      if (!wide.matches) return;
      groups.forEach((g) => { if (g.open && !g.contains(event.target)) g.open = false; });
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !wide.matches) return;
      groups.forEach((g) => {
        if (g.open) { g.open = false; g.querySelector("summary").focus(); }
      });
    });
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
