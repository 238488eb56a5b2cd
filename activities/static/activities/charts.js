/* The month-by-month chart of the statistics page (ECharts). Data comes from the page's
   <script type="application/json" id="activities-chart-data"> block; no inline JavaScript. */
(function () {
  "use strict";

  function start() {
    var node = document.getElementById("activities-chart-data");
    var element = document.getElementById("activities-chart");
    if (!node || !element || typeof echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", confine: true },
      legend: { bottom: 0, type: "scroll", textStyle: { fontSize: 11 } },
      grid: { left: 44, right: 8, top: 16, bottom: 64 },
      xAxis: { type: "category", data: data.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (series) {
        return { name: series.name, type: "bar", data: series.data };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
