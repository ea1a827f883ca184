import { describe, expect, it } from "vitest";
import { assertPublicUrl, isPublicAddress } from "./public-address";

describe("isPublicAddress", () => {
  it.each(["8.8.8.8", "142.250.74.46", "2a00:1450:400f:80d::200a", "[2606:4700::1111]", "::ffff:8.8.8.8"])(
    "public: %s",
    (ip) => expect(isPublicAddress(ip)).toBe(true),
  );
  it.each([
    "127.0.0.1",
    "127.255.255.254",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.255",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fd00::1",
    "fc12::3",
    "fe80::1",
    "fe80::1%eth0",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a00:1",
    "ff02::1",
    "not-an-ip",
    "",
    "1.2.3",
    "127.1",
  ])("not public: %s", (ip) => expect(isPublicAddress(ip)).toBe(false));
});

describe("assertPublicUrl", () => {
  it.each([
    "https://fcm.googleapis.com/fcm/send/abc",
    "https://updates.push.services.mozilla.com/wpush/v2/x",
    "https://web.push.apple.com/QG",
    "https://8.8.8.8/x",
  ])("accepts %s", async (u) => {
    await expect(assertPublicUrl(u)).resolves.toBeInstanceOf(URL);
  });

  it.each([
    "http://fcm.googleapis.com/x",
    "https://127.0.0.1/x",
    "https://127.0.0.1:8443/x",
    "https://0x7f000001/x",
    "https://127.1/x",
    "https://2130706433/x",
    "https://[::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://[fd00::1]/x",
    "https://169.254.169.254/latest/meta-data",
    "https://10.0.0.1/x",
    "https://100.64.1.1/x",
    "https://localhost/x",
    "https://LOCALHOST./x",
    "https://push.localhost/x",
    "https://db.internal/x",
    "https://intranet/x",
    "https://user:pw@fcm.googleapis.com/x",
    "https://fcm.googleapis.com:8080/x",
    "https://fcm.googleapis.com/x\r\nHost: evil",
    "https://fcm.googleapis.com/\nx",
    "https://fcm.googleapis.com\\@127.0.0.1/",
    "ftp://fcm.googleapis.com/x",
    "not a url",
  ])("refuses %s", async (u) => {
    await expect(assertPublicUrl(u)).rejects.toThrow(/not a public https URL/);
  });

  it("with resolve, refuses a name whose DNS answer includes a private address", async () => {
    const lookupAll = async () => ["142.250.74.46", "127.0.0.1"];
    await expect(assertPublicUrl("https://push.example.org/x", { resolve: true, lookupAll })).rejects.toThrow(
      /non-public/,
    );
    await expect(
      assertPublicUrl("https://push.example.org/x", { resolve: true, lookupAll: async () => ["142.250.74.46"] }),
    ).resolves.toBeInstanceOf(URL);
    await expect(
      assertPublicUrl("https://push.example.org/x", {
        resolve: true,
        lookupAll: async () => {
          throw new Error("ENOTFOUND");
        },
      }),
    ).rejects.toThrow(/does not resolve/);
  });
});
