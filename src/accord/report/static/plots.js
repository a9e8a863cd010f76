/* accord: draw every figure whose plotly JSON sits in a data-figure attribute
   (<div class="plot" data-figure="{data, layout}">). Used by the report and the dashboard
   (again after each htmx swap). */
(function () {
  "use strict";
  function render() {
    if (typeof Plotly === "undefined") { return; }
    var nodes = document.querySelectorAll(".plot[data-figure]:not([data-rendered])");
    Array.prototype.forEach.call(nodes, function (div) {
      var fig = JSON.parse(div.getAttribute("data-figure"));
      div.setAttribute("data-rendered", "1");
      Plotly.newPlot(div, fig.data, fig.layout, {responsive: true, displaylogo: false});
    });
  }
  window.accordPlots = render;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
  // htmx:load fires on every element htmx adds (outerHTML swaps included) and bubbles.
  document.addEventListener("htmx:load", render);
})();
