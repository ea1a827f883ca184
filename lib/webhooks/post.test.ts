// One webhook try in production refuses every non-public target before a byte leaves: IP literals
// (which Node connects to without ever calling `lookup`) and names whose DNS answer holds a
// private, loopback or link-local address (with a stand-in resolver, so any answer can be tested).
import { createServer, type Server } from "node:http";
import type { LookupAddress } from "node:dns";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolveAll } from "@/lib/security/public-address";
import { postWebhook } from "./post";

describe("postWebhook in production (public addresses only)", () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(204).end());
    server.on("connection", () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const production = { timeoutMs: 1_000, publicOnly: true };
  const post = (url: string, opts: Partial<Parameters<typeof postWebhook>[3]> = {}) =>
    postWebhook(url, "{}", { "webhook-id": "msg_test" }, { ...production, ...opts });

  it("refuses an IP literal in a private, loopback, link-local or ULA range, IPv4-mapped ones included", async () => {
    const urls = [
      "https://10.0.0.5/h",
      "https://172.16.3.4/h",
      "https://192.168.1.10/h",
      `https://127.0.0.1:${port}/h`,
      "https://169.254.169.254/latest/meta-data",
      `https://[::1]:${port}/h`,
      "https://[fc00::1]/h",
      "https://[fd12:3456::1]/h",
      "https://[fe80::1]/h",
      "https://[::ffff:10.0.0.1]/h",
      `https://[::ffff:127.0.0.1]:${port}/h`,
    ];
    for (const url of urls) expect(await post(url), url).toEqual({ kind: "error", error: "non_public_address" });
    expect(connections).toBe(0);
  });

  it("refuses a name whose DNS answer holds a non-public address (10.x, fc00::, any one of several)", async () => {
    const answers: Record<string, LookupAddress[]> = {
      "booking.region.example": [{ address: "10.1.2.3", family: 4 }],
      "v6.region.example": [{ address: "fc00::5", family: 6 }],
      "mixed.region.example": [
        { address: "93.184.216.34", family: 4 },
        { address: "10.0.0.1", family: 4 },
      ],
      "loop.region.example": [{ address: "127.0.0.1", family: 4 }],
    };
    const asked: string[] = [];
    const resolveAll: ResolveAll = (hostname, _options, callback) => {
      asked.push(hostname);
      callback(null, answers[hostname] ?? []);
    };
    for (const host of Object.keys(answers))
      expect(await post(`https://${host}:${port}/h`, { resolveAll }), host).toEqual({
        kind: "error",
        error: "non_public_address",
      });
    expect(asked).toEqual(Object.keys(answers));
    expect(connections).toBe(0);
  });

  it("outside production, a developer's local receiver is called", async () => {
    expect(await post(`http://127.0.0.1:${port}/h`, { publicOnly: false })).toEqual({ kind: "response", status: 204 });
    expect(connections).toBe(1);
  });
});
