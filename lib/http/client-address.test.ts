import { describe, expect, it } from "vitest";
import { clientAddress, normaliseIp } from "./client-address";

describe("normaliseIp", () => {
  it("accepts IPv4 and IPv6 in the forms proxies write them", () => {
    expect(normaliseIp("203.0.113.7")).toBe("203.0.113.7");
    expect(normaliseIp(" 203.0.113.7:5123 ")).toBe("203.0.113.7");
    expect(normaliseIp("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(normaliseIp("[2001:DB8::1]:443")).toBe("2001:db8::1");
    expect(normaliseIp("fe80::1%eth0")).toBe("fe80::1");
  });
  it("refuses everything that is not an address", () => {
    for (const bad of ["not-an-ip", "", "999.1.1.1", "1.2.3", "<script>", "1.2.3.4\r\nX-Evil: 1", "unknown"]) {
      expect(normaliseIp(bad)).toBeNull();
    }
  });
});

describe("clientAddress", () => {
  const socketAddress = "10.0.0.9"; // the innermost proxy, or the client itself with no proxy

  it("with no trusted proxy takes the socket and ignores whatever the client wrote", () => {
    expect(clientAddress({ socketAddress, forwardedFor: "1.1.1.1", trustedProxies: 0 })).toBe("10.0.0.9");
    expect(clientAddress({ socketAddress: "::1", forwardedFor: undefined, trustedProxies: 0 })).toBe("::1");
  });

  it("with one trusted proxy takes the entry that proxy appended, not the client's own", () => {
    // client wrote "6.6.6.6"; the ingress appended the real peer 198.51.100.4
    expect(clientAddress({ socketAddress, forwardedFor: "6.6.6.6, 198.51.100.4", trustedProxies: 1 })).toBe(
      "198.51.100.4",
    );
  });

  it("with two trusted proxies counts from the right", () => {
    // client → CDN (appends client) → ingress (appends CDN) → app
    const forwardedFor = "6.6.6.6, 198.51.100.4, 192.0.2.50";
    expect(clientAddress({ socketAddress, forwardedFor, trustedProxies: 2 })).toBe("198.51.100.4");
    // several header lines count as one list
    expect(
      clientAddress({ socketAddress, forwardedFor: ["6.6.6.6", "198.51.100.4, 192.0.2.50"], trustedProxies: 2 }),
    ).toBe("198.51.100.4");
  });

  it("with fewer entries than proxies takes the leftmost, the furthest a trusted proxy saw", () => {
    expect(clientAddress({ socketAddress, forwardedFor: "198.51.100.4", trustedProxies: 2 })).toBe("198.51.100.4");
  });

  it("falls back to the socket when the header is missing or the chosen entry is not an IP", () => {
    expect(clientAddress({ socketAddress, forwardedFor: undefined, trustedProxies: 1 })).toBe("10.0.0.9");
    expect(clientAddress({ socketAddress, forwardedFor: "not-an-ip", trustedProxies: 1 })).toBe("10.0.0.9");
    expect(clientAddress({ socketAddress, forwardedFor: " , ", trustedProxies: 1 })).toBe("10.0.0.9");
    expect(clientAddress({ socketAddress: "garbage", forwardedFor: undefined, trustedProxies: 0 })).toBe("0.0.0.0");
  });
});
