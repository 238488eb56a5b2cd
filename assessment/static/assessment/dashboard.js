/* Charts of the assessment dashboard and the comparison page (ECharts). The data comes from
   the page's <script type="application/json" id="assessment-data"> block; no inline
   JavaScript. Each chart has a table with the same figures on the page. */
(function () {
  "use strict";

  var RED = "#b3261e";
  var BLACK = "#1f2933";
  var ACCENT = "#1d5fa7";
  var PALE = "#dde3e9";

  function make(id) {
    var element = document.getElementById(id);
    return element ? echarts.init(element, null, { renderer: "svg" }) : null;
  }

  function trend(chart, data) {
    chart.setOption({
      tooltip: { trigger: "axis", confine: true },
      legend: { bottom: 0, type: "scroll", textStyle: { fontSize: 11 } },
      grid: { left: 44, right: 8, top: 12, bottom: 56 },
      xAxis: { type: "category", data: data.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", scale: true },
      series: data.trend.map(function (row) {
        return {
          name: row.name, type: "line", data: row.data, connectNulls: false,
          lineStyle: { width: row.own ? 4 : 2 }, symbolSize: row.own ? 8 : 5,
          itemStyle: row.own ? { color: RED } : undefined, z: row.own ? 3 : 2
        };
      })
    });
  }

  function lists(chart, data) {
    var height = Math.max(200, 60 + 28 * data.lists.villages.length);
    chart.getDom().style.height = height + "px";
    chart.resize();
    chart.setOption({
      tooltip: {
        confine: true,
        formatter: function (p) {
          var name = p.value[2] === 1 ? data.labels.red : p.value[2] === -1 ? data.labels.black
            : data.labels.neither;
          return data.lists.villages[p.value[1]] + " · " + data.months[p.value[0]] + ": " + name;
        }
      },
      grid: { left: 8, right: 8, top: 12, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: data.months, splitArea: { show: true },
               axisLabel: { hideOverlap: true } },
      yAxis: { type: "category", data: data.lists.villages, inverse: true },
      visualMap: {
        type: "piecewise", orient: "horizontal", left: "center", bottom: 0,
        dimension: 2, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 11 },
        pieces: [
          { value: 1, label: data.labels.red, color: RED },
          { value: -1, label: data.labels.black, color: BLACK },
          { value: 0, label: data.labels.neither, color: PALE }
        ]
      },
      series: [{ type: "heatmap", data: data.lists.cells, itemStyle: { borderColor: "#fff",
                                                                        borderWidth: 2 } }]
    });
  }

  function cases(chart, data) {
    chart.setOption({
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      grid: { left: 36, right: 8, top: 40, bottom: 28 },
      xAxis: { type: "category", data: data.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      color: ["#b26a00", RED],
      series: data.cases.map(function (row) {
        return { name: row.name, type: "bar", stack: "cases", data: row.data };
      })
    });
  }

  function overdue(chart, data) {
    var height = Math.max(200, 60 + 28 * data.overdue.villages.length);
    chart.getDom().style.height = height + "px";
    chart.resize();
    chart.setOption({
      tooltip: { trigger: "axis", confine: true },
      grid: { left: 8, right: 24, top: 12, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.overdue.villages, inverse: true },
      series: [{ name: data.labels.problems, type: "bar", data: data.overdue.counts,
                 itemStyle: { color: RED }, label: { show: true, position: "right" } }]
    });
  }

  function bars(chart, names, scores, current, scoreLabel) {
    var height = Math.max(200, 60 + 28 * names.length);
    chart.getDom().style.height = height + "px";
    chart.resize();
    chart.setOption({
      tooltip: { trigger: "axis", confine: true },
      grid: { left: 8, right: 48, top: 12, bottom: 8, containLabel: true },
      xAxis: { type: "value", scale: true },
      yAxis: { type: "category", data: names, inverse: true },
      series: [{
        name: scoreLabel, type: "bar",
        data: scores.map(function (score, i) {
          return { value: score, itemStyle: { color: current[i] ? RED : ACCENT } };
        }),
        label: { show: true, position: "right" }
      }]
    });
  }

  function history(chart, data) {
    chart.setOption({
      tooltip: { trigger: "axis", confine: true },
      grid: { left: 44, right: 8, top: 12, bottom: 32 },
      xAxis: { type: "category", data: data.history.months, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", scale: true },
      series: [{ name: data.labels.score, type: "line", data: data.history.scores,
                 itemStyle: { color: RED }, lineStyle: { width: 3 } }]
    });
  }

  function start() {
    var node = document.getElementById("assessment-data");
    if (!node || typeof echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var drawn = [];
    function draw(id, render) {
      var chart = make(id);
      if (chart) { render(chart, data); drawn.push(chart); }
    }
    draw("chart-trend", trend);
    draw("chart-lists", lists);
    draw("chart-cases", cases);
    draw("chart-overdue", overdue);
    draw("chart-siblings", function (chart) {
      bars(chart, data.siblings.names, data.siblings.scores,
           data.siblings.current, data.labels.score);
    });
    draw("chart-history", history);
    draw("chart-county", function (chart) {
      bars(chart, data.county.names, data.county.scores,
           data.county.current, data.labels.score);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
