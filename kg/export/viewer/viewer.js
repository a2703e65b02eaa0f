/* The graph viewer's behaviour: legend, filters, search and the provenance panel.
 *
 * Every name, alias, description and quote is data: it reaches the page only
 * through textContent or vis-network's canvas labels, never as markup.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var DISPUTED = "#d62728";
  var SYMBOL = { dot: "\u25cf", diamond: "\u25c6", hexagon: "\u2b22", triangle: "\u25b2", triangleDown: "\u25bc", star: "\u2605", square: "\u25a0" };

  var typeByName = {}, sourceById = {}, nodeById = {}, edgeById = {}, neighbours = {};
  data.types.forEach(function (t) { typeByName[t.name] = t; });
  data.sources.forEach(function (s) { sourceById[s.id] = s; });
  data.nodes.forEach(function (n) { nodeById[n.id] = n; neighbours[n.id] = []; });
  data.edges.forEach(function (e) {
    edgeById[e.id] = e;
    if (neighbours[e.from].indexOf(e.to) < 0) neighbours[e.from].push(e.to);
    if (neighbours[e.to].indexOf(e.from) < 0) neighbours[e.to].push(e.from);
  });

  /* el("li", {className: "x"}, "text", childElement, ...): text arguments become text nodes. */
  function el(tag, props) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) { node[key] = props[key]; });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === "") continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /* ---- the network ---- */

  function visNode(n) {
    var t = typeByName[n.type];
    return {
      id: n.id, label: n.name, x: n.x, y: n.y, size: n.size, shape: t.shape, widthConstraint: { maximum: data.font.width },
      color: { background: t.color, border: n.disputed ? DISPUTED : "#555", highlight: { background: t.color, border: n.disputed ? DISPUTED : "#000" } },
      borderWidth: n.disputed ? 4 : 1, borderWidthSelected: n.disputed ? 5 : 3, hidden: n.datasetOnly
    };
  }

  function visEdge(e) {
    var c = data.claims[e.claim];
    var edge = { id: e.id, from: e.from, to: e.to, label: c.label, dashes: c.rank === "deprecated",
                 hidden: nodeById[e.from].datasetOnly || nodeById[e.to].datasetOnly };
    if (c.disputed) { edge.color = { color: DISPUTED, highlight: DISPUTED }; edge.width = 2; }
    if (e.curve) {
      edge.smooth = { enabled: true, type: e.curve % 2 ? "curvedCW" : "curvedCCW", roundness: 0.2 * Math.ceil(e.curve / 2) };
    }
    return edge;
  }

  var big = data.nodes.length > 1000;
  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  var container = document.getElementById("graph");
  var timing = window.kgTiming = { script: performance.now() };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    physics: { enabled: false },
    layout: { improvedLayout: false, randomSeed: 0 },
    interaction: { hover: false, hideEdgesOnDrag: big, hideEdgesOnZoom: big, tooltipDelay: 300 },
    // The layout (kg/layout.py) made room for each name in this font, wrapped at this width.
    nodes: { font: { face: data.font.face, size: data.font.size, color: "#222", strokeWidth: 3, strokeColor: "#fff" } },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.5 } }, smooth: false, width: 1, selectionWidth: 2,
      color: { color: "#9aa3ad", highlight: "#222", inherit: false },
      font: { size: 10, color: "#555", strokeWidth: 3, strokeColor: "#fff", align: "middle" },
      // A relation's label shows once it is 8 px or more on the screen: smaller, it is unreadable
      // and only blurs the actors' names it crosses.
      scaling: { label: { drawThreshold: 9 } }
    }
  });
  network.once("afterDrawing", function () {
    timing.drawn = performance.now();
    setTimeout(function () {  // the first task after the first frame: input is handled from here on
      timing.interactive = performance.now();
      document.documentElement.setAttribute("data-ready", "true");
    }, 0);
  });
  network.on("click", function (params) {
    if (params.nodes.length) { revealAround(params.nodes[0]); showNode(params.nodes[0]); }
    else if (params.edges.length) showEdge(params.edges[0]);
    else closePanel();
  });

  /* ---- legend and filters ---- */

  // An actor is shown when its type and one of its sources are checked and, if only datasets
  // name it, when the dataset's actors are shown or it was revealed (selected, searched for,
  // or a neighbour of a selected actor).
  var typeOn = {}, sourceOn = {}, nodeShown = {}, edgeShown = {}, revealed = {}, datasetOn = false;
  data.types.forEach(function (t) { typeOn[t.name] = true; });
  data.sources.forEach(function (s) { sourceOn[s.id] = true; });
  data.nodes.forEach(function (n) { nodeShown[n.id] = !n.datasetOnly; });
  data.edges.forEach(function (e) { edgeShown[e.id] = nodeShown[e.from] && nodeShown[e.to]; });

  function checkbox(list, value, on, labelParts, title) {
    var box = el("input", { type: "checkbox", checked: true, value: value });
    box.addEventListener("change", function () { on[value] = box.checked; applyFilters(); });
    var label = el("label", title ? { title: title } : {}, box);
    labelParts.forEach(function (part) { label.appendChild(part); });
    list.appendChild(el("li", {}, label));
  }

  data.types.forEach(function (t) {
    var swatch = el("span", { className: "swatch" }, SYMBOL[t.shape] || SYMBOL.dot);
    swatch.style.color = t.color;
    checkbox(document.getElementById("types"), t.name, typeOn,
      [swatch, el("span", { className: "name" }, t.label), el("span", { className: "count" }, String(t.count))]);
  });
  data.sources.forEach(function (s) {
    // A file name has no spaces to wrap at: it may break anywhere (viewer.css), and the date goes below it.
    var text = el("span", { className: "text" }, el("span", { className: "name" }, sourceName(s)),
      s.date ? el("span", { className: "date" }, s.date) : null);
    checkbox(document.getElementById("sources"), s.id, sourceOn, [text],
      [s.title, s.file, s.date].filter(Boolean).join(" \u00b7 "));
  });

  function filteredOut(n) {
    return !typeOn[n.type] || !(n.sources.length === 0 || n.sources.some(function (s) { return sourceOn[s]; }));
  }

  /* The neighbours of an actor that are hidden only because only datasets name them. */
  function hiddenNeighbours(id) {
    return neighbours[id].filter(function (other) { return !nodeShown[other] && !filteredOut(nodeById[other]); });
  }

  /* Shows ``id`` itself, and its hidden neighbours if there are few enough (or ``all``). */
  function revealAround(id, all) {
    var n = nodeById[id];
    if (filteredOut(n)) return;
    revealed[id] = true;
    var more = hiddenNeighbours(id);
    if (all || more.length <= data.revealAtOnce) more.forEach(function (other) { revealed[other] = true; });
    applyFilters();
  }

  var showDataset = document.getElementById("show-dataset");
  if (showDataset) {
    showDataset.addEventListener("change", function () {
      datasetOn = showDataset.checked;
      if (!datasetOn) revealed = {};
      applyFilters();
      network.fit({ animation: false });
    });
  }

  function applyFilters() {
    var nodeChanges = [], edgeChanges = [];
    data.nodes.forEach(function (n) {
      var show = !filteredOut(n) && (!n.datasetOnly || datasetOn || revealed[n.id] === true);
      if (show !== nodeShown[n.id]) { nodeShown[n.id] = show; nodeChanges.push({ id: n.id, hidden: !show }); }
    });
    data.edges.forEach(function (e) {
      var show = nodeShown[e.from] && nodeShown[e.to] &&
        data.claims[e.claim].evidence.some(function (ev) { return sourceOn[ev.source]; });
      if (show !== edgeShown[e.id]) { edgeShown[e.id] = show; edgeChanges.push({ id: e.id, hidden: !show }); }
    });
    if (nodeChanges.length) nodes.update(nodeChanges);
    if (edgeChanges.length) edges.update(edgeChanges);
    updateStatus();
  }

  function count(shown) { return Object.keys(shown).filter(function (k) { return shown[k]; }).length; }

  /* 1524 as "1,524", the same in every browser and locale */
  function thousands(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  function updateStatus() {
    document.getElementById("status").textContent =
      thousands(count(nodeShown)) + " of " + thousands(data.nodes.length) + " actors, " +
      thousands(count(edgeShown)) + " of " + thousands(data.edges.length) + " relations shown";
  }
  updateStatus();

  /* ---- search ---- */

  function norm(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[\s\-_.]+/g, " ").trim();
  }

  var names = [];
  var datalist = document.getElementById("names");
  data.nodes.forEach(function (n) {
    [n.name].concat(n.aliases).forEach(function (name) {
      names.push({ key: norm(name), node: n });
      datalist.appendChild(el("option", { value: name }));
    });
  });

  function find(query) {
    var q = norm(query);
    if (!q) return null;
    var tests = [
      function (key) { return key === q; },
      function (key) { return key.indexOf(q) === 0; },
      function (key) { return key.indexOf(q) >= 0; }
    ];
    for (var i = 0; i < tests.length; i++) {
      for (var j = 0; j < names.length; j++) if (tests[i](names[j].key)) return names[j].node;
    }
    return null;
  }

  var search = document.getElementById("search");
  var note = document.getElementById("search-note");
  function runSearch() {
    var found = find(search.value);
    note.textContent = "";
    if (!found) { note.textContent = search.value.trim() ? "No actor matches \u201c" + search.value.trim() + "\u201d" : ""; return; }
    focusNode(found.id);
  }
  document.getElementById("search-form").addEventListener("submit", function (event) { event.preventDefault(); runSearch(); });
  search.addEventListener("input", function (event) {
    if (!event.inputType || event.inputType === "insertReplacementText") runSearch();  // picked from the list
  });

  function focusNode(id) {
    var n = nodeById[id];
    if (filteredOut(n)) { note.textContent = n.name + " is hidden by the filters"; return; }
    revealAround(id);
    showNode(id);
    network.redraw();  // take the canvas's new width beside the panel into account first
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: { duration: 400, easingFunction: "easeInOutQuad" } });
  }

  /* ---- the provenance panel ---- */

  var panel = document.getElementById("panel");
  var panelBody = document.getElementById("panel-body");
  document.getElementById("panel-close").addEventListener("click", closePanel);
  function closePanel() { panel.hidden = true; }

  function openPanel() { clear(panelBody); panel.hidden = false; panel.scrollTop = 0; return panelBody; }

  function sourceName(s) { return s.title || s.file; }

  function entityLink(id) {
    var n = nodeById[id];
    if (!n) return el("span", {}, id);
    var button = el("button", { type: "button", className: "link" }, n.name);
    button.addEventListener("click", function () { focusNode(id); });
    return button;
  }

  function badge(kind, text) { return el("span", { className: "badge " + kind }, text); }

  function claimItem(c, withSubject) {
    var statement = el("div", { className: "statement" });
    if (withSubject) { statement.appendChild(entityLink(c.subject)); statement.appendChild(document.createTextNode(" ")); }
    statement.appendChild(document.createTextNode(c.label + ": "));
    statement.appendChild(c.entity ? entityLink(c.entity) : el("span", { className: "value" }, c.value));
    if (c.qualifiers.length) {
      statement.appendChild(el("span", { className: "qualifiers" },
        " (" + c.qualifiers.map(function (q) { return q[1] ? q[0] + ": " + q[1] : q[0]; }).join(", ") + ")"));
    }
    if (c.rank !== "normal") statement.appendChild(badge(c.rank, c.rank));
    if (c.disputed) {
      var mark = badge("disputed", "disputed");
      mark.title = "This claim is on one side of a disagreement between the sources";
      statement.appendChild(mark);
    }
    var item = el("li", { className: "claim " + c.rank }, statement);
    if (c.reason) item.appendChild(el("p", { className: "reason" }, (c.rank === "deprecated" ? "Deprecated: " : "Preferred: ") + c.reason));
    var list = el("ul", { className: "evidence" });
    c.evidence.forEach(function (ev) {
      var s = sourceById[ev.source] || { file: ev.source };
      var cite = [sourceName(s), s.date, s.kind, s.publisher].filter(Boolean).join(" \u00b7 ");
      if (ev.start >= 0) cite += " \u00b7 characters " + ev.start + "\u2013" + ev.end;
      if (ev.row) cite += " \u00b7 row " + ev.row + ", column " + ev.column;
      if (s.credit) cite += " \u00b7 " + s.credit + " (" + s.licence + ")";
      var entry = el("li", {}, el("blockquote", {}, ev.quote), el("cite", {}, cite));
      if (ev.note) entry.appendChild(el("p", { className: "note" }, ev.column + " notes: " + ev.note));
      list.appendChild(entry);
    });
    item.appendChild(list);
    return item;
  }

  function claimList(title, claims, withSubject) {
    var body = document.createDocumentFragment();
    if (!claims.length) return body;
    body.appendChild(el("h3", {}, title + " (" + claims.length + ")"));
    var list = el("ul", { className: "claims" });
    claims.forEach(function (c) { list.appendChild(claimItem(c, withSubject)); });
    body.appendChild(list);
    return body;
  }

  function showNode(id) {
    var n = nodeById[id], t = typeByName[n.type];
    var body = openPanel();
    body.appendChild(el("h2", {}, n.name));
    var swatch = el("span", { className: "swatch" }, SYMBOL[t.shape] || SYMBOL.dot);
    swatch.style.color = t.color;
    body.appendChild(el("p", { className: "meta" }, swatch, t.label, n.disputed ? badge("disputed", "sources disagree") : null));
    if (n.aliases.length) body.appendChild(el("p", { className: "meta" }, "Also: " + n.aliases.join(", ")));
    if (n.description) body.appendChild(el("p", { className: "description" }, n.description));
    var claims = n.claims.map(function (i) { return data.claims[i]; });
    if (n.wikidata) {
      body.appendChild(el("p", { className: "meta" }, "Wikidata: ",
        el("a", { href: "https://www.wikidata.org/wiki/" + encodeURIComponent(n.wikidata), rel: "noopener noreferrer", target: "_blank" }, n.wikidata)));
    }
    body.appendChild(disagreementList(n.disagreements));
    body.appendChild(claimList("Claims", claims, false));
    var incoming = data.edges.filter(function (e) { return e.to === id; }).map(function (e) { return data.claims[e.claim]; });
    body.appendChild(claimList("Named in", incoming, true));
    var more = hiddenNeighbours(id);
    if (more.length) {
      var button = el("button", { type: "button", className: "link", id: "show-neighbours" }, "Show them");
      button.addEventListener("click", function () { revealAround(id, true); showNode(id); });
      body.appendChild(el("p", { className: "meta hidden-neighbours" },
        more.length + (more.length === 1 ? " actor linked to it is" : " actors linked to it are") +
        " hidden (only a dataset names them). ", button));
    }
  }

  /* Each disagreement with its sides; each side with the claims that tell it and their quotes. */
  function disagreementList(indices) {
    var body = document.createDocumentFragment();
    if (!indices.length) return body;
    body.appendChild(el("h3", {}, "Where the sources disagree (" + indices.length + ")"));
    var list = el("ul", { className: "disagreements" });
    indices.forEach(function (i) {
      var d = data.disagreements[i];
      var item = el("li", { className: "disagreement" },
        el("p", { className: "statement" }, badge("disputed", d.kind), " " + d.topic + ": " + d.balance));
      if (d.note) item.appendChild(el("p", { className: "reason" }, d.note));
      var sides = el("ol", { className: "sides" });
      d.sides.forEach(function (side) {
        var claims = el("ul", { className: "claims" });
        side.claims.forEach(function (c) { claims.appendChild(claimItem(data.claims[c], true)); });
        sides.appendChild(el("li", { className: "side" }, el("p", { className: "meta" }, side.label), claims));
      });
      item.appendChild(sides);
      list.appendChild(item);
    });
    body.appendChild(list);
    return body;
  }

  function showEdge(id) {
    var c = data.claims[edgeById[id].claim];
    var body = openPanel();
    body.appendChild(el("h2", {}, nodeById[c.subject].name + " \u2192 " + c.label + " \u2192 " + nodeById[c.entity].name));
    body.appendChild(claimList("Claim", [c], true));
    body.appendChild(disagreementList(c.disagreements));
  }

  window.kgViewer = {
    network: network, data: data, focusNode: focusNode, showNode: showNode, showEdge: showEdge, revealAround: revealAround,
    shown: function () { return { nodes: count(nodeShown), edges: count(edgeShown) }; }
  };
})();
