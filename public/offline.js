// The offline page: shows the patient's own saved copy of "Mina tider" if they chose to keep one
// on this device (settings), otherwise a plain offline message. Reads only this origin's cache.
(function () {
  "use strict";
  var CACHE = "vardtid-patient";
  var KEY = "/offline-data/mina-tider.json";

  function text(el, value) {
    el.textContent = value;
    return el;
  }
  function reload() {
    window.location.reload();
  }

  document.getElementById("retry").addEventListener("click", reload);
  document.getElementById("retry-saved").addEventListener("click", reload);

  if (!("caches" in window)) return;
  caches
    .open(CACHE)
    .then(function (cache) {
      return cache.match(KEY);
    })
    .then(function (res) {
      return res ? res.json() : null;
    })
    .then(function (data) {
      if (!data || !Array.isArray(data.appointments)) return;
      var lang = data.locale === "en" ? "en" : "sv";
      document.documentElement.lang = lang;
      var t = data.text || {};
      text(document.getElementById("saved-title"), t.title || "Mina tider");
      text(
        document.getElementById("saved-at"),
        (t.savedAt || "Sparad {time}").replace("{time}", data.savedAtLabel || ""),
      );
      text(document.getElementById("retry-saved"), t.retry || "Försök igen");
      var list = document.getElementById("saved-list");
      data.appointments.forEach(function (a) {
        var li = document.createElement("li");
        li.className = "card";
        var when = document.createElement("p");
        when.className = "appointment__when";
        text(when, a.when);
        var title = document.createElement("h2");
        text(title, a.clinicName);
        var address = document.createElement("p");
        address.className = "appointment__address";
        text(address, a.address);
        li.appendChild(when);
        li.appendChild(title);
        li.appendChild(address);
        if (a.preparation) {
          var prep = document.createElement("p");
          prep.className = "appointment__prep";
          text(prep, a.preparation);
          li.appendChild(prep);
        }
        list.appendChild(li);
      });
      if (!data.appointments.length) {
        var empty = document.createElement("li");
        empty.className = "card";
        text(empty, t.empty || "Inga kommande besök.");
        list.appendChild(empty);
      }
      document.getElementById("offline-generic").hidden = true;
      document.getElementById("offline-saved").hidden = false;
    })
    .catch(function () {
      /* the generic offline message stays */
    });
})();
