// charts.js draws every element marked data-echarts="<id>" with the ECharts options stored in
// the JSON script element <script type="application/json" id="<id>">. No inline script, no
// eval: formatters are named in the JSON ("fmt:rand", ...) and replaced here by functions.
(function () {
  "use strict";

  var nbsp = "\u00a0";

  function group(intPart) {
    return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, nbsp);
  }

  // "R 1 234 567.89": the exact format used in tooltips.
  function rand(v) {
    if (v === null || v === undefined || v === "" || isNaN(Number(v))) return "n/a";
    var n = Number(v);
    var sign = n < 0 ? "-" : "";
    var parts = Math.abs(n).toFixed(2).split(".");
    return sign + "R" + nbsp + group(parts[0]) + "." + parts[1];
  }

  // "R12.3M": compact, for axes.
  function randCompact(v) {
    var n = Number(v);
    if (isNaN(n)) return "";
    var a = Math.abs(n), sign = n < 0 ? "-" : "";
    if (a >= 1e9) return sign + "R" + trim(a / 1e9) + "B";
    if (a >= 1e6) return sign + "R" + trim(a / 1e6) + "M";
    if (a >= 1e3) return sign + "R" + trim(a / 1e3) + "k";
    return sign + "R" + trim(a);
  }

  function trim(n) {
    return (Math.round(n * 10) / 10).toString();
  }

  function count(v) {
    if (v === null || v === undefined || isNaN(Number(v))) return "n/a";
    var n = Number(v);
    if (Number.isInteger(n)) return group(String(n));
    return n.toFixed(2);
  }

  function percent(v) {
    if (v === null || v === undefined || isNaN(Number(v))) return "n/a";
    return (Number(v) * 100).toFixed(2) + "%";
  }

  var formatters = {
    "fmt:rand": rand,
    "fmt:randCompact": randCompact,
    "fmt:count": count,
    "fmt:percent": percent,
    // A gauge reading already in percent; "n/a" when there is none (no final events, or a
    // panel whose source is down), never "NaN%".
    "fmt:gaugePercent": function (v) {
      if (v === null || v === undefined || v === "" || isNaN(Number(v))) return "n/a";
      return Number(v).toFixed(2) + "%";
    },
    // Series labels receive a params object rather than a value.
    "fmt:randCompactLabel": function (p) { return randCompact(p.value); },
    // Heatmap cells are [x, y, value-in-percent].
    "fmt:heatPercentLabel": function (p) {
      var v = p && p.value ? p.value[2] : null;
      return v === null || v === undefined || isNaN(Number(v)) ? "" : Number(v).toFixed(1) + "%";
    },
  };

  // Replace named formatters anywhere in the options tree.
  function resolve(node) {
    if (Array.isArray(node)) {
      for (var i = 0; i < node.length; i++) node[i] = resolve(node[i]);
      return node;
    }
    if (node && typeof node === "object") {
      Object.keys(node).forEach(function (k) {
        node[k] = resolve(node[k]);
      });
      return node;
    }
    if (typeof node === "string" && Object.prototype.hasOwnProperty.call(formatters, node)) {
      return formatters[node];
    }
    return node;
  }

  var charts = [];

  // Drill-down: a point whose data carries "drill" (handlers/echarts.go, withDrill) is a count
  // or sum of transactions, and a click on it opens those transactions. Only an address on
  // this site is followed.
  function drillOf(data) {
    var href = data && typeof data === "object" ? data.drill : null;
    if (typeof href !== "string" || href.charAt(0) !== "/" || href.charAt(1) === "/" || href.charAt(1) === "\\") return "";
    return href;
  }

  function seriesDrills(s) {
    return !!(s && Array.isArray(s.data) && s.data.some(function (d) { return drillOf(d) !== ""; }));
  }

  // The wall screen is watched, not clicked: it follows no link.
  function drillsFollowed() {
    return !(document.body && document.body.classList.contains("wall"));
  }

  // In a chart with links, the pointer shows over the series that have them and only there.
  function markDrillable(options) {
    if (!drillsFollowed()) return;
    var series = options && Array.isArray(options.series) ? options.series : [];
    if (!series.some(seriesDrills)) return;
    series.forEach(function (s) {
      if (s && s.cursor === undefined) s.cursor = seriesDrills(s) ? "pointer" : "default";
    });
  }

  // drillAt is the link under a pixel of the chart's grid: in the category under it, the
  // linked point nearest to it (a bar counts from its base to its top), so a click anywhere in
  // a day's column opens that day's rows without aiming at a thin line; "" for none.
  function drillAt(chart, point) {
    if (!chart.containPixel({ gridIndex: 0 }, point)) return "";
    var series = chart.getOption().series || [];
    var best = "", bestDistance = Infinity;
    series.forEach(function (s, i) {
      if (!seriesDrills(s)) return;
      var at = chart.convertFromPixel({ seriesIndex: i }, point);
      var index = Array.isArray(at) ? Math.round(at[0]) : NaN;
      if (isNaN(index) || index < 0 || index >= s.data.length) return;
      var d = s.data[index];
      var href = drillOf(d);
      if (!href) return;
      var top = chart.convertToPixel({ seriesIndex: i }, [index, Number(d.value)]);
      if (!Array.isArray(top) || isNaN(top[1])) return;
      var lo = top[1], hi = top[1];
      if (s.type === "bar") {
        var base = chart.convertToPixel({ seriesIndex: i }, [index, 0]);
        var b = Array.isArray(base) && !isNaN(base[1]) ? base[1] : Infinity; // a log axis has no 0
        lo = Math.min(top[1], b);
        hi = Math.max(top[1], b);
      }
      var y = point[1];
      var distance = y < lo ? lo - y : y > hi ? y - hi : 0;
      if (distance < bestDistance) {
        best = href;
        bestDistance = distance;
      }
    });
    return best;
  }

  // A click on a linked point follows its link; a click elsewhere in the grid follows the
  // nearest one in the category under it (drillAt), and the pointer shows wherever a click
  // would lead somewhere.
  function followDrills(chart) {
    if (!drillsFollowed()) return;
    var leaving = false;
    chart.on("click", function (p) {
      var href = drillOf(p && p.data);
      if (href) {
        leaving = true;
        window.location.assign(href);
      }
    });
    var zr = chart.getZr();
    zr.on("click", function (e) {
      if (leaving) return; // the point itself was clicked (above)
      var href = drillAt(chart, [e.offsetX, e.offsetY]);
      if (href) {
        leaving = true;
        window.location.assign(href);
      }
    });
    zr.on("mousemove", function (e) {
      if (drillAt(chart, [e.offsetX, e.offsetY])) zr.setCursorStyle("pointer");
    });
  }

  // ECharts writes its HTML tooltips with style attributes, which the page's Content Security
  // Policy (style-src 'self') refuses, each hover logging an error and losing the markers'
  // colours. Drawn as rich text on the chart's own canvas, a tooltip needs no markup at all.
  function canvasTooltips(options) {
    var tips = options && options.tooltip;
    (Array.isArray(tips) ? tips : tips ? [tips] : []).forEach(function (tip) {
      if (tip && typeof tip === "object" && tip.renderMode === undefined) tip.renderMode = "richText";
    });
  }

  var observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var chart = echarts.getInstanceByDom(entry.target);
      if (chart && !chart.isDisposed()) chart.resize();
    });
  });

  function drawAll(root) {
    if (typeof echarts === "undefined") return;
    (root || document).querySelectorAll("[data-echarts]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-echarts"));
      if (!src) return;
      var options;
      try {
        options = resolve(JSON.parse(src.textContent));
      } catch (e) {
        el.textContent = "chart data could not be read";
        return;
      }
      var existing = echarts.getInstanceByDom(el);
      if (existing) existing.dispose(); // dispose before re-init (htmx swaps, re-draws)
      var chart = echarts.init(el, null, { renderer: "canvas" });
      markDrillable(options);
      canvasTooltips(options);
      chart.setOption(options);
      followDrills(chart);
      el.setAttribute("data-echarts-drawn", "true");
      charts.push(chart);
      // The element can change size without a window resize (a scrollbar appearing, the grid
      // reflowing): follow the element itself where the browser can.
      if (observer) observer.observe(el);
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) clearTimeout(pending);
    pending = setTimeout(function () {
      charts = charts.filter(function (c) { return !c.isDisposed(); });
      charts.forEach(function (c) { c.resize(); });
    }, 100);
  });

  // update patches the chart drawn for data-echarts="<id>" in place with setOption (merge
  // mode): the same instance, no re-creation, so a page that refreshes every few seconds does
  // not grow. Returns false when there is no such chart yet.
  function update(id, patch) {
    if (typeof echarts === "undefined") return false;
    var el = document.querySelector('[data-echarts="' + id + '"]');
    var chart = el && echarts.getInstanceByDom(el);
    if (!chart || chart.isDisposed()) return false;
    chart.setOption(resolve(patch));
    return true;
  }
  window.MariCharts = { update: update };

  // Re-draw after an htmx swap, should a page use htmx.
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  } else {
    drawAll();
  }
})();
