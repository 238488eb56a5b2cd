/* Charts of the monthly supermarket report (ECharts); data from #shop-chart-data. */
(function () {
  "use strict";
  function bar(element, title, names, values, color) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      title: { text: title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", confine: true },
      grid: { left: 90, right: 12, top: 36, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 80, overflow: "truncate" } },
      series: [{ type: "bar", data: values, itemStyle: { color: color } }]
    });
    return chart;
  }
  function start() {
    var node = document.getElementById("shop-chart-data");
    if (!node || typeof echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var charts = [
      bar(document.getElementById("chart-markets"), data.labels.points, data.markets, data.points, "#1d5fa7"),
      bar(document.getElementById("chart-top"), data.labels.top, data.top, data.top_quantity, "#2e7d32")
    ];
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
