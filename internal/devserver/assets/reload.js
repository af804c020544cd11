// isomer serve: reloads this tab when the site is rebuilt. The page was
// served at the version in data-version; the server says "hello" with its
// current version on every (re)connection and "reload" after each rebuild.
// A different version means the page is out of date, which also covers a
// server restart while the tab was open.
(function () {
  "use strict";
  var script = document.currentScript;
  var version = script ? script.getAttribute("data-version") : null;
  if (!window.EventSource) {
    return;
  }
  var reloading = false;
  function check(e) {
    if (reloading) {
      return;
    }
    if (version !== null && e.data !== version) {
      reloading = true;
      source.close();
      window.location.reload();
      return;
    }
    version = e.data;
  }
  var source = new EventSource("/_isomer/events");
  source.addEventListener("hello", check);
  source.addEventListener("reload", check);
  // Leaving the page closes the stream first, so the browser does not
  // report an aborted request.
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
