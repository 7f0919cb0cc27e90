// The entity page's neighbourhood drawn with Cytoscape.js (api/static/cytoscape.min.js, from npm):
// the entity in the middle, its listed neighbours around it grouped by type, one arrow per relation
// from source to target; a click on a neighbour opens its page. The list below stays the reading
// and accessible form of the same data.
(function () {
  "use strict";
  var container = document.getElementById("entity-graph");
  var source = document.getElementById("entity-graph-data");
  if (!container || !source) return;

  // The text paints first: Cytoscape.js (440 kB, preloaded by the page) runs only after the first
  // frame, so neither its start-up nor the drawing holds back the list a reader came for.
  requestAnimationFrame(function () {
    setTimeout(function () {
      var library = document.createElement("script");
      library.src = container.dataset.library;
      library.onload = draw;
      document.head.appendChild(library);
    }, 0);
  });

  function draw() {
    var data = JSON.parse(source.textContent);
    // Links and colours come once per page (by id and by type); each node gets them here, as data
    // Cytoscape.js maps directly (a style function would run again on every style pass).
    data.nodes.forEach(function (node) {
      var colour = data.colours[node.data.type];
      node.data.fill = colour.fill;
      node.data.border = colour.border;
      node.data.href = data.entity_url + node.data.id;
    });
    var neighbours = data.nodes.filter(function (node) { return !node.data.centre; });
    var many = neighbours.length > 40;

    // Neighbours on a circle in the page's group order, so that each type is one arc of one colour;
    // with many, consecutive ones step outwards over several rings so that they do not overlap.
    var rings = Math.max(1, Math.ceil(neighbours.length / 32));
    var inner = neighbours.length <= 8 ? 150 : 210;
    var positions = {};
    neighbours.forEach(function (node, i) {
      var angle = (2 * Math.PI * i) / neighbours.length - Math.PI / 2;
      var radius = inner + (i % rings) * 70;
      positions[node.data.id] = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
    });
    data.nodes.forEach(function (node) {
      node.position = node.data.centre ? { x: 0, y: 0 } : positions[node.data.id];
    });

    var cy = cytoscape({
      container: container,
      elements: { nodes: data.nodes, edges: data.edges },
      layout: { name: "preset", fit: true, padding: 24 },
      autoungrabify: true,
      boxSelectionEnabled: false,
      wheelSensitivity: 0.3,
      minZoom: 0.1,
      maxZoom: 4,
      textureOnViewport: many,
      hideEdgesOnViewport: many,
      pixelRatio: many ? 1 : "auto",
      style: [
        { selector: "node", style: {
          "background-color": "data(fill)", "border-color": "data(border)", "border-width": 2,
          width: many ? 18 : 34, height: many ? 18 : 34,
          label: "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 3,
          "text-wrap": "ellipsis", "text-max-width": 120, color: "#1d232a",
          "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1,
          "min-zoomed-font-size": many ? 9 : 0
        } },
        { selector: "node[?centre]", style: {
          width: 52, height: 52, "font-size": 13, "font-weight": "bold", "border-width": 3, "z-index": 10,
          "min-zoomed-font-size": 0
        } },
        { selector: "edge", style: {
          width: 1.2, "line-color": "#A5ABB6", "target-arrow-color": "#A5ABB6",
          "target-arrow-shape": "triangle", "arrow-scale": 0.8,
          "curve-style": many ? "straight" : "bezier",
          label: many ? "" : "data(label)", "font-size": 9, color: "#5b6672",
          "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.8,
          "min-zoomed-font-size": 8
        } },
        { selector: "node:active, node.hover", style: { "overlay-opacity": 0.15, "overlay-color": "#2456a6" } }
      ]
    });

    cy.on("tap", "node", function (event) {
      var node = event.target;
      if (!node.data("centre")) window.location.assign(node.data("href"));
    });
    cy.on("mouseover", "node", function (event) {
      event.target.addClass("hover");
      container.style.cursor = event.target.data("centre") ? "default" : "pointer";
      container.title = event.target.data("label") + " (" + event.target.data("type") + ")";
    });
    cy.on("mouseout", "node", function (event) {
      event.target.removeClass("hover");
      container.style.cursor = "";
      container.title = "";
    });
    // For the page's tests and its benchmark: when the first frame with the graph was drawn.
    cy.one("render", function () {
      container.dataset.drawnMs = performance.now().toFixed(1);
      container.classList.add("drawn");
    });
    window.atlasGraph = cy;
  }
})();
