// The offer page's answer as a request to POST /api/offer-answer (server/data-routes/offer-answer.ts).
// Browser code: no server imports.
import { postJson } from "@/lib/http/post-json";

export type OfferAnswer = { status: "ok" } | { status: "error"; error: string; sessionEnded?: boolean };

export async function postOfferAnswer(input: { offerId: string; answer: "accept" | "decline" }): Promise<OfferAnswer> {
  const result = await postJson("/api/offer-answer", input);
  return result.status === "ok" ? { status: "ok" } : result;
}
