import { formatPersonalNumber } from "../../lib/personal-number";
import type { TestIdentity } from "./identities";

/**
 * The simulator's "BankID app": one server-rendered page with a little inline script, no
 * external resources, sized for a phone. It drives orders through the same calls a test would
 * (the control API) plus two app endpoints that check what a real app checks: the QR code's
 * freshness and the autostart token.
 */

export interface AppPageInput {
  nonce: string;
  identities: readonly TestIdentity[];
  /** From ?autostarttoken=…, when the relying party launched us on the same device. */
  autoStartToken: string | null;
  /** From ?redirect=…, where to go afterwards unless the order has a returnUrl. */
  redirect: string | null;
}

export function renderAppPage(input: AppPageInput): string {
  const config = {
    identities: input.identities.map((i) => ({
      personalNumber: i.personalNumber,
      givenName: i.givenName,
      surname: i.surname,
      display: formatPersonalNumber(i.personalNumber),
    })),
    autoStartToken: input.autoStartToken,
    redirect: input.redirect,
  };
  const identityOptions = input.identities
    .map((identity, index) => {
      const id = `identity-${index}`;
      return `<label class="identity" for="${id}">
          <input type="radio" name="identity" id="${id}" value="${escapeHtml(identity.personalNumber)}"${index === 0 ? " checked" : ""}>
          <span><strong>${escapeHtml(`${identity.givenName} ${identity.surname}`)}</strong>
          <span class="muted">${escapeHtml(formatPersonalNumber(identity.personalNumber))}</span></span>
        </label>`;
    })
    .join("\n        ");

  return `<!doctype html>
<html lang="sv">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <meta name="robots" content="noindex">
  <link rel="icon" href="data:,">
  <title>BankID-simulator – testapp</title>
  <style nonce="${input.nonce}">${STYLES}</style>
</head>
<body>
  <main>
    <header>
      <p class="badge">Endast för test</p>
      <h1>BankID-simulator</h1>
      <p class="muted">Ingen riktig BankID-app. Välj en testperson och hämta en order.</p>
    </header>

    <div id="status" class="status" role="status" aria-live="polite"></div>
    <div id="problem" class="problem" role="alert"></div>

    <section aria-labelledby="identity-heading">
      <h2 id="identity-heading">1. Testperson</h2>
      <fieldset>
        <legend class="visually-hidden">Vem identifierar sig?</legend>
        ${identityOptions}
      </fieldset>
    </section>

    <section id="pick" aria-labelledby="pick-heading">
      <h2 id="pick-heading">2. Hämta en order</h2>
      <form id="qr-form" novalidate>
        <label for="qr-data">QR-data (börjar med <code>bankid.</code>)</label>
        <textarea id="qr-data" name="qrData" rows="3" autocomplete="off" autocapitalize="off" spellcheck="false"
          aria-describedby="qr-help"></textarea>
        <p id="qr-help" class="muted">Koden byts varje sekund: klistra in den som visas just nu.</p>
        <button type="submit" class="primary">Läs QR-kod</button>
      </form>

      <h3 id="open-heading">Öppna ordrar</h3>
      <ul id="open-orders" class="orders" aria-labelledby="open-heading"></ul>
      <p id="no-orders" class="muted">Inga ordrar väntar just nu.</p>
      <button type="button" id="refresh" class="secondary">Uppdatera listan</button>
    </section>

    <section id="order" aria-labelledby="order-heading" hidden>
      <h2 id="order-heading" tabindex="-1">3. <span id="order-kind">Identifiering</span></h2>
      <p>Som <strong id="order-person"></strong></p>
      <div id="order-text-box" hidden>
        <p class="muted">Du skriver under:</p>
        <p id="order-text" class="sign-text"></p>
      </div>
      <div class="actions">
        <button type="button" id="identify" class="primary">Identifiera</button>
        <button type="button" id="cancel" class="secondary">Avbryt</button>
      </div>
    </section>

    <section id="done" aria-labelledby="done-heading" hidden>
      <h2 id="done-heading" tabindex="-1">Klart</h2>
      <p id="done-text"></p>
      <p><a id="return-link" class="button primary" href="#" hidden>Tillbaka till tjänsten</a></p>
      <button type="button" id="again" class="secondary">Ny order</button>
    </section>
  </main>
  <script type="application/json" id="sim-config">${jsonForScript(config)}</script>
  <script nonce="${input.nonce}">${SCRIPT}</script>
</body>
</html>`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// JSON inside <script> must not be able to close the element.
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

const STYLES = `
  :root { --fg:#1b1b1f; --bg:#f6f5f2; --card:#fff; --muted:#595961; --accent:#183e4f; --accent-fg:#fff;
    --line:#cfcdc7; --danger:#9b1c1c; --ok:#1f6b3a; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  @media (prefers-color-scheme: dark) { :root { --fg:#f2f2f2; --bg:#121316; --card:#1d1f24; --muted:#b4b4bd;
    --accent:#8fd0e8; --accent-fg:#0b1d25; --line:#3a3d44; --danger:#ff9c9c; --ok:#8fe0a8; } }
  * { box-sizing: border-box; }
  body { margin:0; background:var(--bg); color:var(--fg); font-size:1.0625rem; line-height:1.5; }
  main { max-width:28rem; margin:0 auto; padding:1rem 1rem 3rem; }
  h1 { font-size:1.6rem; margin:.25rem 0; } h2 { font-size:1.2rem; margin:0 0 .75rem; } h3 { font-size:1rem; margin:1.25rem 0 .5rem; }
  section { background:var(--card); border:1px solid var(--line); border-radius:1rem; padding:1rem; margin:1rem 0; }
  .badge { display:inline-block; margin:0; padding:.1rem .6rem; border-radius:999px; background:var(--accent); color:var(--accent-fg); font-size:.85rem; font-weight:600; }
  .muted { color:var(--muted); margin:.25rem 0; }
  fieldset { border:0; margin:0; padding:0; display:grid; gap:.5rem; }
  .identity { font-weight:400; display:flex; gap:.75rem; align-items:center; padding:.75rem; border:1px solid var(--line); border-radius:.75rem; cursor:pointer; min-height:3.25rem; }
  .identity span { display:flex; flex-direction:column; }
  .identity input { width:1.4rem; height:1.4rem; accent-color:var(--accent); }
  .identity:has(input:checked) { border-color:var(--accent); box-shadow:0 0 0 1px var(--accent); }
  label { font-weight:600; }
  textarea { width:100%; font:inherit; font-family:ui-monospace, monospace; font-size:.9rem; padding:.6rem; border-radius:.5rem; border:1px solid var(--line); background:var(--bg); color:var(--fg); margin-top:.35rem; }
  button, .button { display:flex; align-items:center; justify-content:center; width:100%; min-height:3.25rem; margin-top:.75rem; padding:.75rem 1rem;
    font:inherit; font-weight:600; border-radius:.75rem; border:2px solid var(--accent); cursor:pointer; text-decoration:none; }
  .primary { background:var(--accent); color:var(--accent-fg); }
  .secondary { background:transparent; color:var(--fg); }
  button:focus-visible, .button:focus-visible, textarea:focus-visible, .identity:focus-within, h2:focus-visible { outline:3px solid var(--accent); outline-offset:3px; }
  button[disabled] { opacity:.6; cursor:progress; }
  .actions { display:grid; gap:.25rem; }
  .orders { list-style:none; margin:0; padding:0; display:grid; gap:.5rem; }
  .orders li { border:1px solid var(--line); border-radius:.75rem; padding:.6rem .75rem; }
  .orders button { margin-top:.5rem; min-height:2.75rem; }
  .sign-text { white-space:pre-wrap; border-left:4px solid var(--accent); padding-left:.75rem; }
  .status:not(:empty) { margin:1rem 0; padding:.75rem 1rem; border-radius:.75rem; border:1px solid var(--ok); color:var(--ok); }
  .problem:not(:empty) { margin:1rem 0; padding:.75rem 1rem; border-radius:.75rem; border:1px solid var(--danger); color:var(--danger); }
  code { font-size:.9em; }
  .visually-hidden { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
`;

const SCRIPT = `
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("sim-config").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var STORAGE_KEY = "bankid-simulator-identity";
  var current = null;
  var busy = false;

  var MESSAGES = {
    alreadyInProgress: "En annan order för den här personen pågick. Den har avbrutits – försök igen.",
    notFound: "Ordern finns inte längre.",
    conflict: "Ordern går inte att använda längre."
  };

  function say(text) { $("problem").textContent = ""; $("status").textContent = text; }
  function problem(text) { $("status").textContent = ""; $("problem").textContent = text; }
  function explain(data) {
    if (data && data.errorCode && MESSAGES[data.errorCode]) return MESSAGES[data.errorCode];
    if (data && data.details) return data.details;
    return "Något gick fel. Försök igen.";
  }

  function identity() {
    var checked = document.querySelector('input[name="identity"]:checked');
    var pnr = checked ? checked.value : cfg.identities[0].personalNumber;
    return cfg.identities.filter(function (i) { return i.personalNumber === pnr; })[0] || cfg.identities[0];
  }
  try {
    var saved = localStorage.getItem(STORAGE_KEY);
    var radio = saved && document.querySelector('input[name="identity"][value="' + saved.replace(/[^0-9]/g, "") + '"]');
    if (radio) radio.checked = true;
  } catch (e) { /* storage may be blocked; the default is fine */ }
  document.querySelectorAll('input[name="identity"]').forEach(function (el) {
    el.addEventListener("change", function () {
      try { localStorage.setItem(STORAGE_KEY, el.value); } catch (e) { /* ignore */ }
      if (current) $("order-person").textContent = label(identity());
    });
  });
  function label(i) { return i.givenName + " " + i.surname + " (" + i.display + ")"; }

  function call(method, path, body) {
    var init = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        return { ok: res.ok, status: res.status, data: data };
      });
    }, function () { return { ok: false, status: 0, data: { details: "Simulatorn svarar inte." } }; });
  }

  function withBusy(button, work) {
    if (busy) return;
    busy = true; if (button) button.disabled = true;
    work().then(function () { busy = false; if (button) button.disabled = false; });
  }

  function showOrder(order) {
    current = order;
    $("pick").hidden = true; $("done").hidden = true; $("order").hidden = false;
    var sign = order.operation === "sign";
    $("order-kind").textContent = sign ? "Underskrift" : "Identifiering";
    $("identify").textContent = sign ? "Skriv under" : "Identifiera";
    $("order-person").textContent = label(identity());
    $("order-text-box").hidden = !order.userVisibleText;
    $("order-text").textContent = order.userVisibleText || "";
    say(order.startedBy === "autostart" ? "Ordern öppnades via autostart." : "Ordern är hämtad.");
    $("order-heading").focus();
  }

  function finish(message, order) {
    current = null;
    $("order").hidden = true; $("pick").hidden = true; $("done").hidden = false;
    $("done-text").textContent = message;
    var target = (order && order.returnUrl) || cfg.redirect;
    var link = $("return-link");
    if (target && /^https?:\\/\\//i.test(target)) {
      link.href = target; link.hidden = false;
      window.location.assign(target);
    } else {
      link.hidden = true;
    }
    $("done-heading").focus();
  }

  function reset() {
    current = null;
    $("order").hidden = true; $("done").hidden = true; $("pick").hidden = false;
    $("qr-data").value = "";
    say("");
    refreshOrders();
  }

  function refreshOrders() {
    return call("GET", "/__simulator/orders").then(function (r) {
      if (!r.ok || !r.data) return;
      var open = r.data.orders.filter(function (o) { return o.status === "pending" && o.startedBy === null; });
      var list = $("open-orders");
      list.textContent = "";
      open.forEach(function (o) {
        var li = document.createElement("li");
        var title = document.createElement("strong");
        title.textContent = (o.kind === "phone" ? "Telefon: " : "") + (o.operation === "sign" ? "Underskrift" : "Identifiering");
        var when = document.createElement("span");
        when.className = "muted";
        when.textContent = " · " + new Date(o.created).toLocaleTimeString("sv-SE");
        var button = document.createElement("button");
        button.type = "button"; button.className = "secondary";
        button.textContent = "Välj";
        button.setAttribute("aria-label", "Välj " + title.textContent.toLowerCase() + " från " + when.textContent.slice(3));
        button.addEventListener("click", function () {
          withBusy(button, function () {
            return call("POST", "/__simulator/orders/" + encodeURIComponent(o.orderRef) + "/scan",
              { personalNumber: identity().personalNumber, via: "qr" }).then(function (res) {
              if (res.ok) showOrder(res.data); else { problem(explain(res.data)); refreshOrders(); }
            });
          });
        });
        li.appendChild(title); li.appendChild(when); li.appendChild(button);
        list.appendChild(li);
      });
      $("no-orders").hidden = open.length > 0;
    });
  }

  $("qr-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var qr = $("qr-data").value.trim();
    if (!qr) { problem("Klistra in QR-data först."); $("qr-data").focus(); return; }
    var button = ev.submitter || null;
    withBusy(button, function () {
      return call("POST", "/app/api/scan-qr", { qrData: qr, personalNumber: identity().personalNumber }).then(function (r) {
        if (r.ok) showOrder(r.data); else problem(explain(r.data));
      });
    });
  });

  $("refresh").addEventListener("click", function () { refreshOrders(); });
  $("again").addEventListener("click", reset);

  $("identify").addEventListener("click", function () {
    if (!current) return;
    var who = identity();
    var order = current;
    withBusy($("identify"), function () {
      return call("POST", "/__simulator/orders/" + encodeURIComponent(order.orderRef) + "/approve",
        { personalNumber: who.personalNumber, givenName: who.givenName, surname: who.surname }).then(function (r) {
        if (r.ok) finish(order.operation === "sign" ? "Du har skrivit under." : "Du är identifierad.", r.data);
        else problem(explain(r.data));
      });
    });
  });

  $("cancel").addEventListener("click", function () {
    if (!current) return;
    var order = current;
    withBusy($("cancel"), function () {
      return call("POST", "/__simulator/orders/" + encodeURIComponent(order.orderRef) + "/cancel", {}).then(function (r) {
        if (r.ok) finish("Åtgärden avbröts.", r.data); else problem(explain(r.data));
      });
    });
  });

  setInterval(function () {
    if (!$("pick").hidden && document.visibilityState === "visible") refreshOrders();
  }, 2000);

  if (cfg.autoStartToken) {
    say("Öppnar ordern från autostart …");
    call("POST", "/app/api/open-autostart", { autoStartToken: cfg.autoStartToken, personalNumber: identity().personalNumber })
      .then(function (r) { if (r.ok) showOrder(r.data); else { problem(explain(r.data)); refreshOrders(); } });
  } else {
    refreshOrders();
  }
})();
`;
