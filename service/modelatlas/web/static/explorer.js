// Type-ahead for the search box: asks suggest?q= (the Python API's search) as you type.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list) return;
  var timer = null, asked = "";
  function clear() { list.textContent = ""; }
  function show(rows) {
    clear();
    rows.forEach(function (row) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = row.url;
      a.textContent = row.label;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = " " + row.kind.toLowerCase();
      a.appendChild(kind);
      li.appendChild(a);
      list.appendChild(li);
    });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < 2) { clear(); return; }
    timer = setTimeout(function () {
      asked = text;
      fetch("suggest?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) { if (asked === text) show(rows); })
        .catch(clear);
    }, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && list.firstChild) { e.preventDefault(); list.querySelector("a").focus(); }
    if (e.key === "Escape") clear();
  });
  list.addEventListener("keydown", function (e) {
    var item = document.activeElement && document.activeElement.parentElement;
    if (!item || item.parentElement !== list) return;
    if (e.key === "ArrowDown" && item.nextSibling) { e.preventDefault(); item.nextSibling.firstChild.focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (item.previousSibling ? item.previousSibling.firstChild : input).focus(); }
    if (e.key === "Escape") { clear(); input.focus(); }
  });
})();
