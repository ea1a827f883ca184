// The baseline for the logged-in page: a bare node:http server doing the same database work per
// request as GET /besok (lib/besok-sql.ts: session cookie, session row, listAppointments query,
// audit event in the hash chain) and answering with a minimal HTML list. No framework, no ORM.
//
//   DATABASE_URL=postgres://… PORT=3602 AUTH_SECRET=… node --import tsx bench/bare-server.ts
import http from "node:http";
import { besokContext, formatVisitTime, loadBesok, type VisitRow } from "./lib/besok-sql";

const ctx = besokContext(process.env);
const port = Number(process.env.PORT ?? 3602);

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const item = (v: VisitRow) =>
  `<li>${escapeHtml(formatVisitTime(v.startsAt, v.timeZone))} · ${escapeHtml(v.typeName)} · ${escapeHtml(v.clinicName)} · ${v.status}</li>`;

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.url !== "/besok") {
    res.writeHead(404).end();
    return;
  }
  const visits = await loadBesok(ctx, {
    cookie: req.headers.cookie,
    forwardedFor: req.headers["x-forwarded-for"] as string | undefined,
    realIp: req.headers["x-real-ip"] as string | undefined,
    userAgent: req.headers["user-agent"],
  });
  if (!visits) {
    res.writeHead(307, { Location: "/login?returnTo=%2Fbesok" }).end();
    return;
  }
  const body = `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Mina tider</title></head><body><h1>Mina tider</h1><h2>Kommande</h2><ul>${visits.upcoming.map(item).join("")}</ul><h2>Tidigare</h2><ul>${visits.past.map(item).join("")}</ul></body></html>`;
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "private, no-store" }).end(body);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    console.error("bare-server:", error instanceof Error ? error.message : error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => console.log(`bare-server listening on http://127.0.0.1:${port}`));

const stop = () => server.close(() => void ctx.sql.end({ timeout: 2 }).then(() => process.exit(0)));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
