// The offer page's answer as a request to POST /api/offer-answer (server/data-routes/offer-answer.ts).
// Browser code: no server imports. Every outcome is an answer the page can show; nothing throws.

export type OfferAnswer = { status: "ok" } | { status: "error"; error: string; sessionEnded?: boolean };

export async function postOfferAnswer(input: { offerId: string; answer: "accept" | "decline" }): Promise<OfferAnswer> {
  let res: Response;
  try {
    res = await fetch("/api/offer-answer", {
      method: "POST",
      cache: "no-store",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(input),
    });
  } catch {
    return { status: "error", error: "network" };
  }
  const body = (await res.json().catch(() => null)) as { status?: string; error?: string; ended?: boolean } | null;
  if (res.status === 401) return { status: "error", error: "unauthorized", sessionEnded: body?.ended === true };
  if (res.ok && body?.status === "ok") return { status: "ok" };
  return { status: "error", error: typeof body?.error === "string" ? body.error : "unexpected" };
}
