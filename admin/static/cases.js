// Case page: open the conversation at its latest messages.
(function () {
  "use strict";
  var log = document.querySelector("ol.history");
  if (log) {
    log.scrollTop = log.scrollHeight;
  }
})();
