// Isomer theme script: progressive enhancement only. Every menu and
// accordion is a native <details> that works without it.
(function () {
  "use strict";
  var doc = document;
  var all = function (sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); };

  // Dropdowns: one open at a time, Escape or a click elsewhere closes them.
  var drops = all("details[data-dropdown], details[data-menu]");
  drops.forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (!d.open || !d.hasAttribute("data-dropdown")) return;
      drops.forEach(function (o) {
        if (o !== d && o.open && o.hasAttribute("data-dropdown") && !o.contains(d)) o.open = false;
      });
    });
  });
  // A dropdown that keyboard focus leaves closes, so it never covers the page.
  drops.forEach(function (d) {
    if (!d.hasAttribute("data-dropdown")) return;
    d.addEventListener("focusout", function (e) {
      if (d.open && e.relatedTarget && !d.contains(e.relatedTarget)) d.open = false;
    });
  });
  doc.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = drops.filter(function (d) { return d.open && d.contains(doc.activeElement); }).pop();
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  doc.addEventListener("click", function (e) {
    drops.forEach(function (d) {
      if (d.open && d.hasAttribute("data-dropdown") && !d.contains(e.target)) d.open = false;
    });
  });

  // The notification bar can be dismissed.
  all("[data-notification]").forEach(function (bar) {
    var btn = bar.querySelector(".notification-close");
    if (!btn) return;
    btn.hidden = false;
    btn.addEventListener("click", function () { bar.hidden = true; });
  });

  // Wide tables and code scroll inside a keyboard-focusable region.
  all(".content table").forEach(function (t) {
    if (t.parentNode.classList.contains("table-scroll")) return;
    var w = doc.createElement("div");
    w.className = "table-scroll";
    t.parentNode.insertBefore(w, t);
    w.appendChild(t);
  });
  var focusable = function () {
    all(".content .table-scroll, .content pre").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        el.tabIndex = 0;
        if (!el.hasAttribute("role")) {
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", el.tagName === "PRE" ? "Code" : "Table");
        }
      }
    });
  };
  focusable();
  window.addEventListener("resize", focusable);

  // Resource cards: all shown without script; with it, a year filter and
  // pages of site.paginate cards.
  all("ul.resource-cards[data-paginate]").forEach(function (list) {
    var size = parseInt(list.getAttribute("data-paginate"), 10) || 12;
    var cards = all(":scope > li", list);
    var years = [];
    cards.forEach(function (c) {
      var y = c.getAttribute("data-year");
      if (y && years.indexOf(y) < 0) years.push(y);
    });
    var shown = cards;
    var nav = doc.createElement("nav");
    nav.setAttribute("aria-label", "Pagination");
    var ul = doc.createElement("ul");
    ul.className = "pagination";
    nav.appendChild(ul);
    list.parentNode.insertBefore(nav, list.nextSibling);
    var show = function (n, focus) {
      var pages = Math.ceil(shown.length / size);
      cards.forEach(function (c) { c.hidden = true; });
      shown.forEach(function (c, i) { c.hidden = Math.floor(i / size) !== n; });
      ul.textContent = "";
      nav.hidden = pages < 2;
      var add = function (label, page, name) {
        var li = doc.createElement("li");
        var b = doc.createElement("button");
        b.type = "button";
        b.textContent = label;
        if (name) b.setAttribute("aria-label", name);
        if (page === n && !name) b.setAttribute("aria-current", "page");
        if (page < 0 || page >= pages) b.disabled = true;
        b.addEventListener("click", function () { show(page, true); });
        li.appendChild(b);
        ul.appendChild(li);
      };
      add("\u2039", n - 1, "Previous page");
      for (var i = 0; i < pages; i++) add(String(i + 1), i, i === n ? "" : "Page " + (i + 1));
      add("\u203A", n + 1, "Next page");
      if (focus && shown[n * size]) {
        var first = shown[n * size].querySelector("a");
        if (first) first.focus();
      }
    };
    if (years.length > 1 && !list.classList.contains("resource-cards-home")) {
      var label = doc.createElement("label");
      label.className = "year-filter";
      label.textContent = "Year ";
      var sel = doc.createElement("select");
      [["", "All years"]].concat(years.map(function (y) { return [y, y]; })).forEach(function (o) {
        var opt = doc.createElement("option");
        opt.value = o[0];
        opt.textContent = o[1];
        sel.appendChild(opt);
      });
      sel.addEventListener("change", function () {
        shown = cards.filter(function (c) { return !sel.value || c.getAttribute("data-year") === sel.value; });
        show(0, false);
      });
      label.appendChild(sel);
      list.parentNode.insertBefore(label, list);
    }
    show(0, false);
  });

  // Search: keep the query in the box.
  var q = new URLSearchParams(location.search).get("query");
  var box = doc.getElementById("search-box-search");
  if (q && box) box.value = q;

  // Analytics, only when the site configures it (see the head's script tags).
  var root = doc.documentElement;
  if (root.dataset.ga4 || root.dataset.gtm) {
    window.dataLayer = window.dataLayer || [];
    if (root.dataset.gtm) window.dataLayer.push({ "gtm.start": Date.now(), event: "gtm.js" });
    if (root.dataset.ga4) {
      var gtag = function () { window.dataLayer.push(arguments); };
      gtag("js", new Date());
      gtag("config", root.dataset.ga4);
    }
  }
})();
