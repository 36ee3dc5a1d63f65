/* Draws the dashboard's charts from the JSON the page carries (json_script), with Apache
   ECharts in the page's language; redraws them when the window changes size. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var locale = (document.documentElement.lang || "fr").slice(0, 2) === "fr" ? "FR" : "EN";
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return;
    var option = JSON.parse(source.textContent);
    option.aria = { enabled: false }; /* the table under each chart is its text alternative */
    option.animation = false;
    var chart = echarts.init(el, null, { locale: locale, renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  });
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (c) { c.resize(); });
    }, 100);
  });
})();
