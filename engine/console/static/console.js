// cardflow console. Pages work without this file; with it, times show in
// the browser's time zone, and a region marked data-live follows the store
// through server-sent events and is fetched again when what it shows
// changed. Open <details> stay open.
(function () {
  "use strict";

  // Times: the server writes each as <time datetime="RFC 3339, UTC"> with
  // its UTC text ("2026-12-08 02:14:05.000 UTC"; data-format="minute":
  // "02:14 UTC"). They are shown in the browser's time zone, named
  // ("2026-12-07 21:14:05.000 EST"), the UTC text in the title. The
  // chart's labels carry data-datetime and data-format="hm": their text
  // starts with the UTC hour and minute, shown in the local zone, and an
  // element of class tz names that zone.
  function pad(n, w) { return String(n).padStart(w || 2, "0"); }

  // One formatter for every time of a page: making one costs more than
  // using it.
  var zoneFormat;
  try {
    zoneFormat = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" });
  } catch (e) { /* no Intl: zoneName writes the offset */ }

  function zoneName(d) {
    try {
      var part = zoneFormat && zoneFormat.formatToParts(d)
        .find(function (p) { return p.type === "timeZoneName"; });
      if (part) return part.value;
    } catch (e) { /* no formatToParts: the offset below */ }
    var off = -d.getTimezoneOffset();
    return "UTC" + (off < 0 ? "-" : "+") + pad(Math.floor(Math.abs(off) / 60)) + ":" + pad(Math.abs(off) % 60);
  }

  function parse(s) {
    // Date reads milliseconds; the server may write nanoseconds.
    var d = new Date(String(s).replace(/(\.\d{3})\d+/, "$1"));
    return isNaN(d.getTime()) ? null : d;
  }

  function hm(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()); }

  function localText(d, format, utcText) {
    if (format === "minute") return hm(d) + " " + zoneName(d);
    var s = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + hm(d) + ":" + pad(d.getSeconds());
    if (/\d\.\d{3}/.test(utcText)) s += "." + pad(d.getMilliseconds(), 3);
    return s + " " + zoneName(d);
  }

  function localTimes(root) {
    root.querySelectorAll("time[datetime]:not([data-local])").forEach(function (t) {
      var d = parse(t.getAttribute("datetime"));
      if (!d) return;
      var utc = t.textContent;
      t.textContent = localText(d, t.dataset.format, utc);
      t.title = utc;
      t.dataset.local = "on";
    });
    root.querySelectorAll("[data-datetime][data-format=hm]:not([data-local])").forEach(function (e) {
      var d = parse(e.getAttribute("data-datetime"));
      if (!d || !/^\d\d:\d\d/.test(e.textContent)) return;
      e.textContent = hm(d) + e.textContent.slice(5);
      e.setAttribute("data-local", "on");
    });
    root.querySelectorAll(".tz").forEach(function (e) { e.textContent = zoneName(new Date()); });
  }

  // The list's time window: the server reads it in UTC, and so do the
  // links that carry it. A browser shows it and takes it in its own zone
  // (the label names it), and sends it in UTC.
  var field = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/;

  function fieldOf(d, utc) {
    return utc
      ? d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + "T" + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes())
      : d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function localWindow() {
    var inputs = document.querySelectorAll("input[type=datetime-local][data-utc]");
    if (!inputs.length) return;
    inputs.forEach(function (i) {
      var m = field.exec(i.value);
      if (m) i.value = fieldOf(new Date(Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5])), false);
    });
    inputs[0].form.addEventListener("formdata", function (e) {
      inputs.forEach(function (i) {
        var m = field.exec(i.value);
        if (m) e.formData.set(i.name, fieldOf(new Date(+m[1], m[2] - 1, +m[3], +m[4], +m[5]), true));
      });
    });
  }

  localTimes(document);
  localWindow();

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
        localTimes(next);
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
