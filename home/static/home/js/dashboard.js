/* Draws each dashboard panel's chart with Apache ECharts (home/vendor/echarts-6.1.0) from the JSON the
 * server put next to it (<script type="application/json">), so no script is inline. A click on a bar
 * or point opens the listing of the rows behind it. */
(function () {
  "use strict";
  var PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00", "#56647b", "#E69F00", "#000000"];

  function format(value, unit, empty) {
    if (value === null || value === undefined) return empty;
    return unit === "percent" ? value + "%" : String(value);
  }

  function yAxis(unit, index) {
    var axis = {
      type: "value", name: unit.name, position: index === 0 ? "left" : "right",
      nameTextStyle: { align: index === 0 ? "left" : "right" },
      splitLine: { show: index === 0 },
    };
    if (unit.unit === "count") {
      axis.minInterval = 1;
      axis.axisLabel = { formatter: function (v) { return Number.isInteger(v) ? String(v) : ""; } };
    } else if (unit.unit === "percent") {
      axis.min = 0; axis.max = 100; axis.axisLabel = { formatter: "{value}%" };
    }
    return axis;
  }

  function option(spec, width) {
    var units = spec.units.map(function (u) { return u.unit; });
    var shown = Math.max(1, Math.min(spec.labels.length, 12));
    return {
      color: PALETTE,
      animation: false,
      aria: { enabled: false }, // the table below the chart is the text alternative
      legend: { type: "scroll", top: 0, left: 0, right: 0, itemGap: 16 },
      grid: { top: 56, left: 8, right: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", confine: true, axisPointer: { type: spec.chart === "line" ? "line" : "shadow" } },
      xAxis: {
        type: "category", data: spec.labels,
        // Every label when there are a dozen or fewer (wrapped to the bar's width); else as many as fit.
        axisLabel: { width: Math.max(48, Math.floor((width * 0.85) / shown) - 8), overflow: "break",
                     interval: spec.labels.length <= 12 ? 0 : "auto", hideOverlap: spec.labels.length > 12 },
      },
      yAxis: spec.units.map(yAxis),
      series: spec.series.map(function (s) {
        return {
          name: s.name, type: s.chart, data: s.values, yAxisIndex: Math.max(0, units.indexOf(s.unit)),
          connectNulls: false, showSymbol: true, symbolSize: 7, barMaxWidth: 28,
          cursor: s.links.length ? "pointer" : "default",
          tooltip: { valueFormatter: function (v) { return format(v, s.unit, spec.empty); } },
        };
      }),
    };
  }

  function draw(element) {
    var spec = JSON.parse(document.getElementById(element.dataset.spec).textContent);
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option(spec, element.clientWidth));
    chart.on("click", function (params) {
      var links = (spec.series[params.seriesIndex] || {}).links || [];
      var url = links[params.dataIndex];
      if (url) window.location.assign(url);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    document.querySelectorAll(".dashboard-chart[data-spec]").forEach(draw);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
