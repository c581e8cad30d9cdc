// charts.js draws every element marked data-echarts="<id>" with the ECharts options stored in
// the JSON script element <script type="application/json" id="<id>">. No inline script, no
// eval: formatters are named in the JSON ("fmt:rand", ...) and replaced here by functions.
(function () {
  "use strict";

  var nbsp = "\u00a0";

  function group(intPart) {
    return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, nbsp);
  }

  // The formatters below follow views/format.go rule for rule (e2e's formatter test runs both
  // over one table of values): "R 7 926.90" exact, "R 24.5 M" compact, counts "1 000",
  // percentages "97.63%", durations "2 227 ms" and compactly "2.2 s".
  function missing(v) {
    return v === null || v === undefined || v === "" || isNaN(Number(v));
  }

  // fixed is n (not negative) with d decimals, its whole part grouped.
  function fixed(n, d) {
    var parts = n.toFixed(d).split(".");
    return group(parts[0]) + (parts.length > 1 ? "." + parts[1] : "");
  }

  // "R 1 234 567.89": the exact amount, for tooltips.
  function rand(v) {
    if (missing(v)) return "n/a";
    var n = Number(v);
    return (n < 0 ? "-" : "") + "R" + nbsp + fixed(Math.abs(n), 2);
  }

  // "R 12.3 M", "R 950 k", "R 87.50", "R 200": compact, for axes and labels.
  var units = [{ div: 1e3, suffix: "k" }, { div: 1e6, suffix: "M" }, { div: 1e9, suffix: "B" }];
  function randCompact(v) {
    if (missing(v)) return "";
    var n = Number(v);
    var a = Math.abs(n), sign = n < 0 ? "-" : "";
    for (var i = units.length - 1; i >= 0; i--) {
      var u = units[i];
      if (a < u.div) continue;
      var q = tenths(a / u.div);
      if (q >= 1000 && i + 1 < units.length) { // 999 960 is "R 1 M", not "R 1000 k"
        u = units[i + 1];
        q = tenths(a / u.div);
      }
      // beyond the largest unit: whole and grouped, never in exponent form ("1e+21")
      var text = q >= 1000 ? group(Math.round(a / u.div).toLocaleString("en-US", { useGrouping: false })) : String(q);
      return sign + "R" + nbsp + text + nbsp + u.suffix;
    }
    var cents = Math.round(a * 100);
    if (cents % 100 === 0) return sign + "R" + nbsp + String(cents / 100);
    return sign + "R" + nbsp + (cents / 100).toFixed(2);
  }

  // tenths rounds half away from zero as the Go side's decimals do; the tiny nudge keeps a
  // figure such as 24.45 (drawn as 24.4499999…) rounding up as its decimal does.
  function tenths(n) {
    return Math.round(n * 10 * (1 + 1e-12)) / 10;
  }

  function count(v) {
    if (missing(v)) return "n/a";
    var n = Number(v);
    if (Number.isInteger(n)) return (n < 0 ? "-" : "") + group(String(Math.abs(n)));
    return (n < 0 ? "-" : "") + fixed(Math.abs(n), 2);
  }

  function percent(v) {
    if (missing(v)) return "n/a";
    var p = Number(v) * 100;
    var s = fixed(Math.abs(p), 2);
    return (p < 0 && Number(s.replace(/\u00a0/g, "")) !== 0 ? "-" : "") + s + "%";
  }

  // "2 227 ms": a duration in whole milliseconds.
  function ms(v) {
    if (missing(v)) return "n/a";
    var n = Math.round(Number(v));
    return (n < 0 ? "-" : "") + group(String(Math.abs(n))) + nbsp + "ms";
  }

  // "950 ms", "2.2 s": a duration for an axis or a tile.
  function msCompact(v) {
    if (missing(v)) return "n/a";
    var n = Number(v);
    if (Math.abs(n) < 1000) return ms(n);
    return (n < 0 ? "-" : "") + fixed(tenths(Math.abs(n) / 1000), 1) + nbsp + "s";
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
    // Durations: "2 227 ms" exact (tooltips), "2.2 s" compact (axes).
    "fmt:ms": ms,
    "fmt:msCompact": msCompact,
    // A rate the chart already draws in percent, "27.3%", so a tooltip never shows a bare
    // "75" beside its series' name.
    "fmt:percentDrawn": function (v) {
      if (v === null || v === undefined || v === "" || isNaN(Number(v))) return "n/a";
      return Number(v).toFixed(1) + "%";
    },
    // Series labels receive a params object rather than a value.
    "fmt:randCompactLabel": function (p) { return randCompact(p.value); },
    // Heatmap cells are [x, y, value-in-percent].
    "fmt:heatPercentLabel": function (p) {
      var v = p && p.value ? p.value[2] : null;
      return v === null || v === undefined || isNaN(Number(v)) ? "" : Number(v).toFixed(1) + "%";
    },
  };

  // The formatters by name, for the formatter test (and any page script that shows a figure).
  window.MariFormat = { rand: rand, randCompact: randCompact, count: count, percent: percent, ms: ms, msCompact: msCompact };

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

  // Dark mode: in a dark system setting the page turns dark (app.css), and the
  // charts take ECharts' built-in dark theme on a transparent background so their axes and
  // labels stay readable. The wall screen keeps the options it is given: it is dark always.
  // Charts are drawn once per page load, so a change of setting shows on the next load.
  function chartTheme() {
    if (document.body && document.body.classList.contains("wall")) return null;
    return window.matchMedia && window.matchMedia("screen and (prefers-color-scheme: dark)").matches ? "dark" : null;
  }

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
      var chart = echarts.init(el, chartTheme(), { renderer: "canvas" });
      if (chartTheme() === "dark" && options.backgroundColor === undefined) options.backgroundColor = "transparent";
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

  // Printing: a chart drawn for a 1440 px screen is wider than an A4 page (about
  // 700 CSS px inside its margins) and would lose its right-hand side, the north star's last
  // months. Before printing, every chart is redrawn at the width its element has on paper;
  // afterwards, at the screen's width again. beforeprint comes while the screen layout still
  // holds, so the width is taken from the print stylesheet's page (A4 less 12 mm margins);
  // the print media query, where a browser reports it, redraws from the printed layout itself.
  var printWidth = Math.floor((210 - 2 * 12) / 25.4 * 96);
  function fitForPrint() {
    charts = charts.filter(function (c) { return !c.isDisposed(); });
    charts.forEach(function (c) {
      var el = c.getDom();
      var w = Math.min(el.clientWidth || printWidth, printWidth);
      c.resize({ width: w, animation: { duration: 0 } });
    });
  }
  function fitForScreen() {
    charts = charts.filter(function (c) { return !c.isDisposed(); });
    charts.forEach(function (c) { c.resize({ width: "auto", animation: { duration: 0 } }); });
  }
  window.addEventListener("beforeprint", fitForPrint);
  window.addEventListener("afterprint", fitForScreen);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    var onPrintChange = function (e) {
      if (!e.matches) { fitForScreen(); return; }
      charts = charts.filter(function (c) { return !c.isDisposed(); });
      charts.forEach(function (c) {
        var w = c.getDom().clientWidth;
        c.resize({ width: w > 0 ? Math.min(w, printWidth) : printWidth, animation: { duration: 0 } });
      });
    };
    if (printing.addEventListener) printing.addEventListener("change", onPrintChange);
    else if (printing.addListener) printing.addListener(onPrintChange);
  }

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
