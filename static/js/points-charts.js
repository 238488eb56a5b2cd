/* Charts of a village's points page (ECharts). The data comes from the page's
   <script type="application/json" id="points-chart-data"> block; no inline JavaScript. */
(function () {
  "use strict";

  function readData() {
    var node = document.getElementById("points-chart-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function byCategory(element, data) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      title: { text: data.labels.categories, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", confine: true },
      legend: { bottom: 0, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 11 } },
      grid: { left: 40, right: 8, top: 36, bottom: 96 },
      xAxis: { type: "category", data: data.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value" },
      series: data.categories.map(function (category) {
        return { name: category.name, type: "bar", stack: "points", data: category.data };
      })
    });
    return chart;
  }

  function balances(element, data) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      title: { text: data.labels.balances, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", confine: true },
      grid: { left: 40, right: 8, top: 36, bottom: 48 },
      xAxis: { type: "category", name: data.labels.points, nameLocation: "center", nameGap: 32,
               data: data.balances.bins, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.labels.households, type: "bar", data: data.balances.counts,
                 itemStyle: { color: "#1d5fa7" } }]
    });
    return chart;
  }

  function start() {
    var data = readData();
    if (!data || typeof echarts === "undefined") { return; }
    var charts = [];
    var categories = document.getElementById("chart-categories");
    var histogram = document.getElementById("chart-balances");
    if (categories) { charts.push(byCategory(categories, data)); }
    if (histogram) { charts.push(balances(histogram, data)); }
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
