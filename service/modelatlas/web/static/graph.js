// The neighbourhood and path drawings (cytoscape.js): click a node to expand it, double-click
// to open its page. Data comes from graph.json (the Python API), or the page's data-elements.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") return;
  // cytoscape injects a <style> element (the container's position: relative) unless an element
  // with this id exists; the page's CSP forbids inline styles, and explorer.css has that rule.
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    var marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }
  var colours = { Organization: "#1f5fbf", Model: "#9c4a12", Benchmark: "#6d3fb0", Claim: "#a1261b",
                  Result: "#1f7a5a", Release: "#5f6b7a", MarketEvent: "#6e5600", Source: "#44546a",
                  Country: "#22636f" };
  var cy = cytoscape({
    container: box,
    maxZoom: 1.6,
    minZoom: 0.15,
    style: [
      { selector: "node", style: { "background-color": function (n) { return colours[n.data("kind")] || "#777"; },
        label: "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 110,
        "min-zoomed-font-size": 7,
        width: 18, height: 18, color: "#1d2330" } },
      { selector: "node.centre", style: { width: 28, height: 28, "border-width": 3, "border-color": "#f2b01e" } },
      { selector: "edge", style: { width: 1.2, "line-color": "#b5bccb", "target-arrow-color": "#b5bccb",
        "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)", "font-size": 7,
        color: "#59627a", "text-rotation": "autorotate" } }
    ]
  });
  function add(elements, centre) {
    var fresh = [];
    elements.nodes.forEach(function (n) { if (cy.getElementById(n.id).empty()) fresh.push({ group: "nodes", data: n }); });
    elements.edges.forEach(function (e) { if (cy.getElementById(e.id).empty()) fresh.push({ group: "edges", data: e }); });
    cy.add(fresh);
    if (centre) cy.getElementById(centre).addClass("centre");
    var layout = box.dataset.elements
      ? { name: "grid", rows: 1, padding: 40 } // a path: its steps left to right, in order
      : { name: "cose", animate: false, randomize: false, nodeRepulsion: 20000, idealEdgeLength: 120, padding: 20 };
    cy.layout(layout).run();
    box.setAttribute("data-nodes", String(cy.nodes().length));
    box.setAttribute("data-edges", String(cy.edges().length));
  }
  function load(ref) {
    return fetch("graph.json?node=" + encodeURIComponent(ref), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (elements) { add(elements, ref); });
  }
  var expanded = {};
  if (box.dataset.elements) {
    add(JSON.parse(box.dataset.elements), null);
  } else if (box.dataset.src) {
    var ref = new URLSearchParams(box.dataset.src.split("?")[1]).get("node");
    expanded[ref] = true;
    load(ref);
  }
  cy.on("tap", "node", function (evt) {
    var id = evt.target.id();
    if (expanded[id]) return;
    expanded[id] = true;
    load(id).then(function () { box.setAttribute("data-expanded", Object.keys(expanded).join(" ")); });
  });
  cy.on("dbltap", "node", function (evt) { window.location.href = evt.target.data("url"); });
  window.modelAtlasGraph = cy;
})();
