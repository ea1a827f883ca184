import { createHash } from "node:crypto";

/**
 * The simulator's phone view: one page per number, as a messages app would show it.
 * Every piece of text comes from API callers, so everything is escaped; only http(s)
 * links become tags, and the page loads nothing from other origins.
 */

export interface ThreadEntry {
  /** `received`: the phone got it from the API; `sent`: the phone sent it (an incoming SMS). */
  direction: "received" | "sent";
  /** The other party: the sender id of a received SMS, our number for a sent one. */
  counterpart: string;
  text: string;
  created: string;
  status?: "created" | "sent" | "delivered" | "failed";
  parts: number;
}

export interface NumberSummary {
  number: string;
  count: number;
  last: string;
}

export interface Fragment {
  html: string;
  version: string;
  count: number;
}

const STATUS_LABELS = {
  created: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  failed: "Not delivered",
} as const;

const timeFormat = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Europe/Stockholm",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// Stops at whitespace and at characters that cannot be in a URL typed into an SMS.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;

export function linkify(text: string): string {
  let html = "";
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    // Trailing punctuation belongs to the sentence: "Se https://x.se/l/abc."
    const candidate = match[0].replace(/[.,;:!?'")\]}]+$/, "");
    if (!isHttpUrl(candidate)) continue;
    html += escapeHtml(text.slice(last, start));
    // noreferrer: the inbox URL holds a phone number; the linked app need not see it.
    html += `<a href="${escapeHtml(candidate)}" rel="noreferrer">${escapeHtml(candidate)}</a>`;
    last = start + candidate.length;
  }
  return html + escapeHtml(text.slice(last));
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

function fragment(html: string, count: number): Fragment {
  const version = createHash("sha256").update(html).digest("hex").slice(0, 16);
  return { html, version, count };
}

export function renderThread(entries: readonly ThreadEntry[]): Fragment {
  if (entries.length === 0) {
    return fragment('<p class="empty">No messages yet. This page shows new ones as they arrive.</p>', 0);
  }
  const items = entries.map((entry) => {
    const who =
      entry.direction === "received" ? escapeHtml(entry.counterpart) : `You, to ${escapeHtml(entry.counterpart)}`;
    const meta = [`<time datetime="${escapeHtml(entry.created)}">${escapeHtml(formatTime(entry.created))}</time>`];
    if (entry.status) meta.push(STATUS_LABELS[entry.status]);
    if (entry.parts > 1) meta.push(`${entry.parts} parts`);
    const failed = entry.status === "failed" ? " failed" : "";
    return (
      `<li class="msg ${entry.direction}${failed}">` +
      `<p class="who">${who}</p>` +
      `<p class="bubble">${linkify(entry.text)}</p>` +
      `<p class="meta">${meta.join(" · ")}</p>` +
      `</li>`
    );
  });
  return fragment(`<ol class="thread">${items.join("")}</ol>`, entries.length);
}

export function renderNumberList(numbers: readonly NumberSummary[]): Fragment {
  if (numbers.length === 0) {
    return fragment('<p class="empty">No messages yet. Numbers appear here when they receive an SMS.</p>', 0);
  }
  const items = numbers.map(
    (entry) =>
      `<li><a href="/inbox/${encodeURIComponent(entry.number)}">${escapeHtml(entry.number)}</a>` +
      ` <span class="meta">${entry.count} ${entry.count === 1 ? "message" : "messages"},` +
      ` last <time datetime="${escapeHtml(entry.last)}">${escapeHtml(formatTime(entry.last))}</time></span></li>`,
  );
  const total = numbers.reduce((sum, entry) => sum + entry.count, 0);
  return fragment(`<ul class="numbers">${items.join("")}</ul>`, total);
}

export function renderPage(opts: {
  title: string;
  heading: string;
  backLink: boolean;
  content: Fragment;
  nonce: string;
}): string {
  const { content, nonce } = opts;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(opts.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header class="bar">
${opts.backLink ? '<a class="back" href="/">All numbers</a>' : ""}
<h1>${escapeHtml(opts.heading)}</h1>
</header>
<main>
<p id="live-status" class="visually-hidden" role="status" aria-live="polite"></p>
<div id="live" data-version="${content.version}" data-count="${content.count}">${content.html}</div>
</main>
<footer><p>SMS simulator, a test tool: fictional numbers only. This page updates itself every 2 seconds.</p></footer>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0 auto; max-width: 28rem; min-height: 100vh; background: #fff; color: #111; display: flex; flex-direction: column; }
.bar { position: sticky; top: 0; background: #f3f3f5; border-bottom: 1px solid #d0d0d5; padding: .75rem 1rem; text-align: center; }
.bar h1 { font-size: 1.1rem; margin: 0; }
.back { position: absolute; left: 1rem; top: .8rem; font-size: .9rem; }
main { flex: 1; padding: 1rem; }
a { color: #0645ad; }
a:focus-visible { outline: 3px solid #c2410c; outline-offset: 2px; }
.thread, .numbers { list-style: none; margin: 0; padding: 0; }
.numbers li { padding: .75rem 0; border-bottom: 1px solid #e5e5ea; }
.msg { display: flex; flex-direction: column; margin: 0 0 1rem; }
.msg p { margin: 0; }
.who, .meta { font-size: .8rem; color: #4a4a4f; }
.msg .bubble { max-width: 85%; padding: .55rem .8rem; border-radius: 1.1rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: .2rem 0; }
.received { align-items: flex-start; }
.received .bubble { background: #e9e9eb; border-bottom-left-radius: .3rem; }
.sent { align-items: flex-end; }
.sent .bubble { background: #0b57d0; color: #fff; border-bottom-right-radius: .3rem; }
.sent .bubble a { color: #fff; }
.failed .bubble { background: #fff; border: 2px dashed #b3261e; }
.failed .meta { color: #b3261e; }
.empty { color: #4a4a4f; text-align: center; margin-top: 3rem; }
footer { font-size: .75rem; color: #4a4a4f; padding: .5rem 1rem 1rem; text-align: center; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

// Polls the same URL for the fragment and swaps it in only when it changed, so focus and
// scroll survive quiet periods (a meta refresh would reload the page under the reader).
const SCRIPT = `
(function () {
  var live = document.getElementById("live");
  var status = document.getElementById("live-status");
  if (!live || !status) return;
  function nearBottom() { return window.innerHeight + window.scrollY >= document.body.scrollHeight - 80; }
  function poll() {
    if (document.hidden) return;
    fetch(location.pathname + "?fragment=1", { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data || data.version === live.dataset.version) return;
        var stick = nearBottom();
        var added = data.count - Number(live.dataset.count || 0);
        live.innerHTML = data.html;
        live.dataset.version = data.version;
        live.dataset.count = String(data.count);
        if (added > 0) status.textContent = added === 1 ? "1 new message" : added + " new messages";
        if (stick) window.scrollTo(0, document.body.scrollHeight);
      })
      .catch(function () {});
  }
  setInterval(poll, 2000);
  document.addEventListener("visibilitychange", poll);
  window.scrollTo(0, document.body.scrollHeight);
})();
`;
