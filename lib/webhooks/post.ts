// One webhook try: POST the body with its signature headers, and report the status or why there
// was none. node:http(s) rather than fetch because the connection's own DNS lookup must be
// checked (`publicOnlyLookup`): a URL that passed when it was registered may resolve elsewhere now.
// Node never calls `lookup` for an IP literal, so a literal host is checked here before connecting
// (a URL stored outside production, say https://10.0.0.5/, must not be called in production).
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { isPublicAddress, publicOnlyLookup, publicOnlyLookupVia, type ResolveAll } from "@/lib/security/public-address";

export type PostOutcome = { kind: "response"; status: number } | { kind: "error"; error: string };

export interface PostOptions {
  /** Whole try, connect to last byte. The issue asks for 10 s. */
  timeoutMs: number;
  /** Production: only public addresses (and https, checked when the URL is registered and here). */
  publicOnly: boolean;
  /** The DNS resolver behind the public-only check; the system's by default (tests stand one in). */
  resolveAll?: ResolveAll;
}

export function postWebhook(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  opts: PostOptions,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return resolve({ kind: "error", error: "bad_url" });
    }
    if (url.protocol !== "https:" && (opts.publicOnly || url.protocol !== "http:"))
      return resolve({ kind: "error", error: "bad_url" });
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    if (opts.publicOnly && isIP(literal) && !isPublicAddress(literal))
      return resolve({ kind: "error", error: "non_public_address" });
    const client = url.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = client.request(
      url,
      {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "user-agent": "Vardtid-Webhooks/1",
        },
        // No keep-alive pool: each try is one short connection, and a receiver that is slow for one
        // event cannot hold a socket that another event needs.
        agent: false,
        ...(opts.publicOnly
          ? { lookup: opts.resolveAll ? publicOnlyLookupVia(opts.resolveAll) : publicOnlyLookup }
          : {}),
      },
      (res) => {
        // The answer's body is not ours to keep; read and drop it so the socket closes cleanly.
        res.on("data", () => {});
        res.on("end", () => finish({ kind: "response", status: res.statusCode ?? 0 }));
        res.on("error", () => finish({ kind: "response", status: res.statusCode ?? 0 }));
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: "error", error: "timeout" });
      req.destroy();
    }, opts.timeoutMs);
    // Only a code, never the message: it could echo the URL's query.
    req.on("error", (error: NodeJS.ErrnoException) =>
      finish({ kind: "error", error: error.code === "ENONPUBLIC" ? "non_public_address" : (error.code ?? "network") }),
    );
    req.end(body);
  });
}
