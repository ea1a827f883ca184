import { describe, expect, it } from "vitest";
import { buildCsp } from "./csp";
import { CspReportReceiver, maskedPath, parseCspReports } from "./csp-report";

const reportingApi = (documentURL: string) =>
  JSON.stringify([
    {
      type: "csp-violation",
      url: documentURL,
      body: {
        documentURL,
        effectiveDirective: "script-src-elem",
        blockedURL: "https://evil.example/x.js?session=abc",
        disposition: "enforce",
      },
    },
  ]);

const post = (body: string, type = "application/reports+json") =>
  new Request("http://localhost/api/csp-report", { method: "POST", body, headers: { "content-type": type } });

describe("CSP headers", () => {
  it("has object-src 'none', base-uri 'none' and reports to our own endpoint", () => {
    const csp = buildCsp("n", { dev: false, https: true });
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("report-to csp");
    expect(csp).toContain("report-uri /api/csp-report");
  });
});

describe("CSP violation reports", () => {
  it("records a Reporting API report without the token in the page's path or the blocked URL's query", async () => {
    const lines: string[] = [];
    const receiver = new CspReportReceiver((l) => lines.push(l));
    const token = "Ab3dEfGhIjKlMnOpQrStUvWxYz012345";
    expect(await receiver.receive(post(reportingApi(`https://vardtid.se/l/${token}?x=1`)), "192.0.2.1")).toBe(204);
    expect(lines).toEqual(["csp violation: directive=script-src-elem blocked=https://evil.example page=/l/:id"]);
  });

  it("reads the older report-uri format", () => {
    expect(
      parseCspReports({
        "csp-report": {
          "document-uri": "https://vardtid.se/besok/8f9c2a1e-1111-4a4a-9b9b-123456789abc",
          "effective-directive": "style-src",
          "blocked-uri": "inline",
        },
      }),
    ).toEqual([{ directive: "style-src", blocked: "inline", page: "/besok/:id" }]);
    expect(maskedPath("https://x/installningar/kalender")).toBe("/installningar/kalender");
  });

  it("is rate-limited per address and refuses junk without recording it", async () => {
    const lines: string[] = [];
    const receiver = new CspReportReceiver((l) => lines.push(l), { perAddressPerMinute: 3, now: () => 0 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await receiver.receive(post(reportingApi("https://x/")), "192.0.2.7"));
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
    expect(await receiver.receive(post(reportingApi("https://x/")), "192.0.2.8")).toBe(204);
    expect(await receiver.receive(post("not json"), "192.0.2.9")).toBe(400);
    expect(await receiver.receive(post("{}", "text/plain"), "192.0.2.10")).toBe(415);
    expect(await receiver.receive(post("x".repeat(20_000)), "192.0.2.11")).toBe(413);
    expect(lines).toHaveLength(4);
  });
});
