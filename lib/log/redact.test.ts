import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger";
import { scrubText } from "./redact";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, log: createLogger({ service: "test", level: "debug", destination }) };
}

const secrets = [
  "19121212-1212",
  "191212121212",
  "121212-1212",
  "+46701234567",
  "070-123 45 67",
  "0046701234567",
  "eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiJhYmMifQ.c2lnbmF0dXJlLXZhbHVl",
  "s3cr3t-cookie-value",
  "Ab9_linkTokenValue12345",
  "demo-only-sms-webhook-secret",
];

describe("log redaction", () => {
  it("scrubs personal numbers, phone numbers, tokens and URL secrets from free text", () => {
    const text =
      "login for 19121212-1212 (or 121212-1212) phone +46 70 123 45 67 / 070-1234567 Authorization: Bearer abc.def-ghi " +
      "link /l/Ab9_linkTokenValue12345 report /api/sms/delivery?secret=demo-only-sms-webhook-secret&m=1";
    const out = scrubText(text);
    for (const s of ["19121212-1212", "121212-1212", "+46 70 123 45 67", "070-1234567", "abc.def-ghi"]) {
      expect(out).not.toContain(s);
    }
    expect(out).not.toContain("Ab9_linkTokenValue12345");
    expect(out).not.toContain("demo-only-sms-webhook-secret");
    expect(out).toContain("[personal-number]");
    expect(out).toContain("[phone]");
    expect(out).toContain("&m=1");
  });

  it("keeps a UUID whose last group is twelve digits, and still scrubs a personal number beside it", () => {
    const id = `3a9e0c41-5b7a-4c7e-9d1a-${"20".repeat(6)}`; // last group: twelve digits
    expect(id).toMatch(/-\d{12}$/);
    const text = `reqId ${id} for 191212121212 and ${id}`;
    expect(scrubText(text)).toBe(`reqId ${id} for [personal-number] and ${id}`);
    expect(scrubText(`{"reqId":"${id}"}`)).toBe(`{"reqId":"${id}"}`);
  });

  it("keeps what operations need: ids, times, routes and counts", () => {
    const text =
      "appointment 3f0c8f1e-5b7a-4c7e-9d1a-0a6b2c3d4e5f at 2026-12-01T10:15:00.000Z took 1234 ms on /besok/[id]";
    expect(scrubText(text)).toBe(text);
  });

  it("never writes a secret into a JSON log line, whether in a field, a nested object, a message or an error", () => {
    const { lines, log } = capture();
    log.info({ patientId: "3f0c8f1e-5b7a-4c7e-9d1a-0a6b2c3d4e5f", personalNumber: "191212121212" }, "login complete");
    log.info({ req: { headers: { cookie: "session=s3cr3t-cookie-value", authorization: "Bearer x" } } }, "request");
    log.warn({ sms: { to: "+46701234567", body: "Påminnelse" } }, "sms for 0046701234567 failed");
    log.error({
      err: new Error("bad token eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiJhYmMifQ.c2lnbmF0dXJlLXZhbHVl for 070-123 45 67"),
    });
    log.info(`opened /l/Ab9_linkTokenValue12345 with ?secret=demo-only-sms-webhook-secret`);
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed.service).toBe("test");
      for (const s of secrets) expect(line).not.toContain(s);
    }
    // The patient stays identifiable to operations by the internal id only.
    expect(JSON.parse(lines[0]!).patientId).toBe("3f0c8f1e-5b7a-4c7e-9d1a-0a6b2c3d4e5f");
    expect(JSON.parse(lines[0]!).personalNumber).toBe("[redacted]");
  });
});
