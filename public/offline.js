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

  // The page's language: the one the app last showed on this device (components/service-worker.tsx
  // remembers it), else the browser's, else Swedish. Texts come from offline-texts.js, generated
  // from the app's message files at build.
  var all = window.VARDTID_OFFLINE_TEXTS || {};
  function pick() {
    var wanted = [];
    try {
      wanted.push(window.localStorage.getItem("vardtid.lang"));
    } catch {
      /* storage blocked: the browser's languages decide */
    }
    wanted = wanted.concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < wanted.length; i++) {
      var base = String(wanted[i] || "")
        .toLowerCase()
        .split("-")[0];
      if (all[base]) return base;
    }
    return "sv";
  }
  function applyLanguage(lang) {
    var t = all[lang];
    if (!t) return;
    document.documentElement.lang = lang;
    document.documentElement.dir = t.dir;
    text(document.getElementById("offline-title"), t.offlineTitle);
    text(document.getElementById("offline-text"), t.offlineText);
    text(document.getElementById("retry"), t.retry);
    // The English line is for a Swedish page only.
    document.getElementById("offline-en").hidden = lang !== "sv";
  }
  applyLanguage(pick());

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
      var lang = all[data.locale] ? data.locale : "sv";
      applyLanguage(lang);
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
        // The clinic's number, to call even without internet (only a tel: link of our own making).
        if (a.phone && /^tel:\+?\d+$/.test(a.tel || "")) {
          var call = document.createElement("a");
          call.className = "button button--secondary";
          call.href = a.tel;
          var bdi = document.createElement("bdi");
          text(bdi, a.phone);
          var parts = (t.call || "Ring {clinic}").split("{clinic}");
          call.appendChild(document.createTextNode(parts[0] || ""));
          call.appendChild(bdi);
          call.appendChild(document.createTextNode(parts[1] || ""));
          li.appendChild(call);
        }
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
