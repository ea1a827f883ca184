// The pages' write requests (rebook, offer answer) turn every answer into one the page can show:
// the route's own refusal, a session that ended, a proxy's error page, or no network at all.
import { afterEach, describe, expect, it, vi } from "vitest";
import { postOfferAnswer } from "@/lib/waitlist/offer-answer-request";
import { postRebook } from "./rebook-request";

const answer = (status: number, body: string) =>
  vi.fn(async () => new Response(body, { status, headers: { "content-type": "application/json" } }));

afterEach(() => vi.unstubAllGlobals());

describe("postRebook and postOfferAnswer", () => {
  const rebook = () => postRebook({ appointmentId: "a", slotId: "s", version: 3 });
  const accept = () => postOfferAnswer({ offerId: "o", answer: "accept" });

  it("send JSON to our own routes, with the page's input", async () => {
    const fetchMock = answer(200, '{"status":"ok","clinicChanged":true}');
    vi.stubGlobal("fetch", fetchMock);
    expect(await rebook()).toEqual({ status: "ok", clinicChanged: true });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/rebook");
    expect(init.method).toBe("POST");
    expect(JSON.parse(String(init.body))).toEqual({ appointmentId: "a", slotId: "s", version: 3 });
    vi.stubGlobal("fetch", answer(200, '{"status":"ok"}'));
    expect(await accept()).toEqual({ status: "ok" });
  });

  it("pass the route's refusal on", async () => {
    vi.stubGlobal("fetch", answer(409, '{"status":"error","error":"taken"}'));
    expect(await rebook()).toEqual({ status: "error", error: "taken" });
    expect(await accept()).toEqual({ status: "error", error: "taken" });
  });

  it("tell a session that ended from one that never was", async () => {
    vi.stubGlobal("fetch", answer(401, '{"error":"unauthorized","ended":true}'));
    expect(await rebook()).toEqual({ status: "error", error: "unauthorized", sessionEnded: true });
    vi.stubGlobal("fetch", answer(401, '{"error":"unauthorized","ended":false}'));
    expect(await accept()).toEqual({ status: "error", error: "unauthorized", sessionEnded: false });
  });

  it("a proxy's HTML error page is unexpected; no network is network", async () => {
    vi.stubGlobal("fetch", answer(502, "<html>Bad gateway</html>"));
    expect(await rebook()).toEqual({ status: "error", error: "unexpected" });
    expect(await accept()).toEqual({ status: "error", error: "unexpected" });
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    expect(await rebook()).toEqual({ status: "error", error: "network" });
    expect(await accept()).toEqual({ status: "error", error: "network" });
  });
});
