// Household pickers (directory/_picker.html): Enter in the search box searches instead of
// submitting the form; the arrow-down key moves to the answers (native radio buttons).
(function () {
  if (window.parcoursPicker) return;
  window.parcoursPicker = true;
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-picker-search]")) return;
    var results = document.getElementById(box.getAttribute("aria-controls"));
    if (event.key === "Enter") {
      event.preventDefault();
      if (window.htmx) window.htmx.trigger(box, "search");
    } else if (event.key === "ArrowDown" && results) {
      var option = results.querySelector("input[type=radio]:checked") ||
        results.querySelector("input[type=radio]");
      if (option) { event.preventDefault(); option.focus(); }
    }
  });
})();
