// Many app instances behind one port, driven over HTTP as a phone would: a round-robin proxy (each
// request to the next instance, so consecutive requests of one patient land on different apps), a
// patient client with its own cookie jar, the BankID login of e2e/security.spec.ts's
// loginOverHttp (start, the simulator plays the phone, collect, next-auth's callback) and server
// actions called the way Next.js's client calls them (POST with a `Next-Action` id from the
// build's server-reference manifest, the arguments in React's reply encoding).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import path from "node:path";

export interface ProxyHit {
  method: string;
  path: string;
  backend: number;
  /** The `x-test-tag` request header, to tell which instance served a given request. */
  tag: string | undefined;
}

export interface RoundRobinProxy {
  url: string;
  /** The origin a browser would send: the public address the proxy stands in for. */
  publicOrigin: string;
  hits: ProxyHit[];
  close(): Promise<void>;
}

/**
 * One port in front of `ports`: request n goes to ports[n % ports.length]. It stands in for the
 * ingress of `publicBaseUrl` (TLS ends there): it tells the apps the public host and scheme in
 * X-Forwarded-Host and X-Forwarded-Proto, as an ingress controller does.
 */
export async function startRoundRobinProxy(ports: number[], publicBaseUrl: string): Promise<RoundRobinProxy> {
  const publicUrl = new URL(publicBaseUrl);
  let next = 0;
  const hits: ProxyHit[] = [];
  const server = http.createServer((req, res) => {
    const backend = next++ % ports.length;
    const tag = req.headers["x-test-tag"];
    hits.push({
      method: req.method ?? "GET",
      path: req.url ?? "/",
      backend,
      tag: typeof tag === "string" ? tag : undefined,
    });
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: ports[backend],
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          "x-forwarded-host": publicUrl.host,
          "x-forwarded-proto": publicUrl.protocol.replace(":", ""),
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    publicOrigin: publicUrl.origin,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The server actions of a build by "file#export", e.g. "lib/appointments/actions.ts#rebookAction". */
export function serverActionIds(standaloneTree: string): Map<string, string> {
  const manifest = JSON.parse(
    readFileSync(path.join(standaloneTree, ".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { exportedName?: string; filename?: string }> };
  const ids = new Map<string, string>();
  for (const [id, entry] of Object.entries(manifest.node))
    if (entry.exportedName && entry.filename) ids.set(`${entry.filename}#${entry.exportedName}`, id);
  return ids;
}

export interface ActionAnswer {
  status: number;
  /** Where the action redirected to (Next's `x-action-redirect`), if it did. */
  redirect: string | null;
  body: string;
  backend: number | undefined;
}

export interface RebookAnswer {
  status: number;
  /** The visit moved (200, `status: "ok"`). */
  moved: boolean;
  /** The refusal's code, e.g. "slot_unavailable". */
  error: string | null;
  body: string;
  backend: number | undefined;
}

/** A patient's browser, reduced to a cookie jar and fetch; every request goes through the proxy. */
export class HttpPatient {
  private readonly cookies = new Map<string, string>();
  private seq = 0;

  constructor(
    private readonly proxy: RoundRobinProxy,
    readonly name: string,
  ) {}

  async request(pathname: string, init: RequestInit = {}): Promise<Response & { backend: number | undefined }> {
    const tag = `${this.name}:${++this.seq}`;
    const headers = new Headers(init.headers);
    headers.set("x-test-tag", tag);
    headers.set("user-agent", `vardtid-instances-test (${this.name})`);
    if (this.cookies.size > 0) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(`${this.proxy.url}${pathname}`, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (gone || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const backend = this.proxy.hits.find((h) => h.tag === tag)?.backend;
    return Object.assign(res, { backend });
  }

  /** Which instances served this patient's requests. */
  backends(): Set<number> {
    return new Set(this.proxy.hits.filter((h) => h.tag?.startsWith(`${this.name}:`)).map((h) => h.backend));
  }

  /**
   * BankID login over HTTP, as e2e/security.spec.ts's loginOverHttp: the QR flow started here,
   * the simulator's control API plays the phone, then next-auth's callback makes the session.
   */
  async login(bankIdSim: string, who: { personalNumber: string; givenName: string; surname: string }): Promise<void> {
    const start = await this.request("/api/bankid/start", {
      method: "POST",
      headers: { "content-type": "application/json", origin: this.proxy.publicOrigin },
      body: JSON.stringify({ method: "qr" }),
    });
    if (start.status !== 200) throw new Error(`bankid start: ${start.status} ${await start.text()}`);
    const { orders } = (await (await fetch(`${bankIdSim}/__simulator/orders`)).json()) as {
      orders: { orderRef: string; status: string; created: string }[];
    };
    const order = orders
      .filter((o) => o.status === "pending")
      .sort((a, b) => a.created.localeCompare(b.created))
      .at(-1);
    if (!order) throw new Error("no pending BankID order");
    const control = (step: string, body: unknown) =>
      fetch(`${bankIdSim}/__simulator/orders/${order.orderRef}/${step}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    if (!(await control("scan", { personalNumber: who.personalNumber })).ok) throw new Error("scan failed");
    if (!(await control("approve", who)).ok) throw new Error("approve failed");
    for (let i = 0; ; i++) {
      const res = await this.request("/api/bankid/status");
      const { state } = (await res.json()) as { state: string };
      if (state === "complete") break;
      if (i > 50) throw new Error(`login stuck in ${state}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const { csrfToken } = (await (await this.request("/api/auth/csrf")).json()) as { csrfToken: string };
    const done = await this.request("/api/auth/callback/bankid", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-auth-return-redirect": "1",
        origin: this.proxy.publicOrigin,
      },
      body: new URLSearchParams({ csrfToken, json: "true" }).toString(),
    });
    if (done.status !== 200) throw new Error(`next-auth callback: ${done.status}`);
    const exported = await this.request("/api/export");
    if (exported.status !== 200) throw new Error(`not logged in: /api/export ${exported.status}`);
  }

  /**
   * Calls a server action as Next's client does: POST to the page with the action's id; the
   * arguments are React's reply encoding (a FormData argument becomes fields "_<n>_<name>" and a
   * "$K<n>" reference in field "0").
   */
  async action(
    pagePath: string,
    actionId: string,
    args: { state?: unknown; form: Record<string, string | string[]> },
  ): Promise<ActionAnswer> {
    const body = new FormData();
    for (const [key, value] of Object.entries(args.form))
      for (const v of Array.isArray(value) ? value : [value]) body.append(`_1_${key}`, v);
    body.set("0", JSON.stringify(args.state === undefined ? ["$K1"] : [args.state, "$K1"]));
    const res = await this.request(pagePath, {
      method: "POST",
      headers: { "next-action": actionId, accept: "text/x-component", origin: this.proxy.publicOrigin },
      body,
    });
    const redirect = res.headers.get("x-action-redirect");
    return {
      status: res.status,
      redirect: redirect ? redirect.replace(/;(push|replace)$/, "") : null,
      body: await res.text(),
      backend: res.backend,
    };
  }

  /** The rebook picker's confirm: POST /api/rebook as the page's script sends it. */
  async rebook(appointmentId: string, slotId: string): Promise<RebookAnswer> {
    const res = await this.request("/api/rebook", {
      method: "POST",
      headers: { "content-type": "application/json", origin: this.proxy.publicOrigin },
      body: JSON.stringify({ appointmentId, slotId }),
    });
    const body = await res.text();
    const parsed = JSON.parse(body) as { status?: string; error?: string };
    return {
      status: res.status,
      moved: parsed.status === "ok",
      error: parsed.error ?? null,
      body,
      backend: res.backend,
    };
  }
}
