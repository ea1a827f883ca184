import { describe, expect, it } from "vitest";
import { checkOutboundUrl, isPublicAddress, publicOnlyLookup, resolvesToPublicAddresses } from "./public-address";

describe("public addresses only (SSRF)", () => {
  it("refuses loopback, link-local, private and special addresses in both families", () => {
    for (const ip of [
      "127.0.0.1",
      "127.255.0.9",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "fc12:3456::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:169.254.169.254",
      "64:ff9b::10.0.0.1",
      "::127.0.0.1",
      "not-an-ip",
      "",
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
  });

  it("accepts ordinary public addresses", () => {
    for (const ip of ["8.8.8.8", "172.32.0.1", "193.10.1.1", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"])
      expect(isPublicAddress(ip), ip).toBe(true);
  });

  it("allows only https, no credentials and no literal private host in production", () => {
    const prod = { production: true };
    expect(checkOutboundUrl("https://booking.region.se/hooks", prod).ok).toBe(true);
    expect(checkOutboundUrl("http://booking.region.se/hooks", prod)).toEqual({
      ok: false,
      reason: "must be an https:// URL",
    });
    for (const bad of [
      "https://127.0.0.1/x",
      "https://[::1]/x",
      "https://169.254.169.254/latest",
      "https://localhost/x",
      "https://intranet/x",
      "https://u:p@booking.region.se/x",
      "ftp://booking.region.se/x",
      "not a url",
    ])
      expect(checkOutboundUrl(bad, prod).ok, bad).toBe(false);
  });

  it("allows a developer's local http receiver outside production", () => {
    expect(checkOutboundUrl("http://127.0.0.1:3400/hook", { production: false }).ok).toBe(true);
    expect(checkOutboundUrl("file:///etc/passwd", { production: false }).ok).toBe(false);
  });

  it("refuses at connection time a name that resolves to loopback", async () => {
    expect(await resolvesToPublicAddresses(new URL("https://localhost/x"))).toBe(false);
    expect(await resolvesToPublicAddresses(new URL("https://127.0.0.1/x"))).toBe(false);
    const err = await new Promise<unknown>((resolve) => publicOnlyLookup("localhost", {}, (e) => resolve(e)));
    expect(err).toMatchObject({ code: "ENONPUBLIC" });
  });
});
