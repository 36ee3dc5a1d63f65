/* Draws the dashboard's charts from the JSON the page carries (json_script), with Apache
   ECharts in the page's language; redraws them when the window changes size.

   Under the Content-Security-Policy (no inline style): each chart's height comes from its
   data-height attribute and is set here through the CSSOM, and tooltips are drawn on the
   canvas (renderMode "richText") rather than as HTML with style attributes.
   Hidden counts (fewer than 5) carry "hidden": their tooltip says "< 5", never a number. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var locale = (document.documentElement.lang || "fr").slice(0, 2) === "fr" ? "FR" : "EN";
  var charts = [];

  /* A series with hidden points ("hiddenLabel" set by panels.py) gets tooltips that say "< 5"
     for them: the axis tooltip of a bar series through valueFormatter, the item tooltip of a
     Sankey, graph or heatmap series through a formatter (nodes show their name only). */
  function markHidden(option) {
    (option.series || []).forEach(function (s) {
      var hidden = s.hiddenLabel;
      if (!hidden) return;
      if (s.type === "bar") {
        var flagged = (s.data || []).map(function (d) { return !!(d && d.hidden); });
        s.tooltip = Object.assign({}, s.tooltip, {
          valueFormatter: function (value, index) { return flagged[index] ? hidden : value; },
        });
        return;
      }
      s.tooltip = Object.assign({}, s.tooltip, {
        formatter: function (p) {
          var d = p.data || {};
          if (p.dataType === "node") return p.name;
          var name = p.dataType === "edge" ? d.source + " → " + d.target : p.seriesName;
          var value = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
          return name + " : " + (d.hidden ? hidden : value);
        },
      });
    });
    return option;
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return;
    var height = parseInt(el.getAttribute("data-height"), 10);
    if (height > 0) el.style.height = height + "px";
    var option = markHidden(JSON.parse(source.textContent));
    option.aria = { enabled: false }; /* the table under each chart is its text alternative */
    option.animation = false;
    option.tooltip = Object.assign({}, option.tooltip, { renderMode: "richText" });
    var chart = echarts.init(el, null, { locale: locale, renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  });
  /* On a phone the panels marked phone-table show their table, open, in place of the chart. */
  var narrow = window.matchMedia("(max-width: 575.98px)");
  function tablesOnPhone() {
    document.querySelectorAll(".panel.phone-table details.figures").forEach(function (d) {
      if (narrow.matches) d.open = true;
    });
  }
  tablesOnPhone();
  narrow.addEventListener("change", tablesOnPhone);
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (c) { c.resize(); });
    }, 100);
  });
})();
