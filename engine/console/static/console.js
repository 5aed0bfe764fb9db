// cardflow console: live updates. Pages work without this file; with it, a
// region marked data-live follows the store through server-sent events and
// is fetched again when what it shows changed. Open <details> stay open.
(function () {
  "use strict";
  var region = document.getElementById("live-region");
  if (!region || !window.EventSource || !region.dataset.live) return;
  var busy = false, again = false;

  function openIDs(root) {
    var ids = [];
    root.querySelectorAll("details[open][id]").forEach(function (d) { ids.push(d.id); });
    return ids;
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.getElementById("live-region");
        if (!next) return;
        var keep = openIDs(region);
        region.innerHTML = next.innerHTML;
        keep.forEach(function (id) {
          var d = document.getElementById(id);
          if (d) d.open = true;
        });
        region.dispatchEvent(new CustomEvent("cardflow:updated", { bubbles: true }));
      })
      .catch(function (e) { console.warn("cardflow console: refresh failed:", e.message); })
      .finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  var es = new EventSource(region.dataset.live);
  es.addEventListener("change", refresh);
  document.documentElement.dataset.live = "on";
})();
