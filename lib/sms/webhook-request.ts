// The gateway's callbacks are public URLs: anyone can post to them. So the secret in the URL is
// checked first, before a byte of the body is read, and the body is capped (a 46elks report is a
// few hundred bytes), so an unauthenticated or oversized post costs us almost nothing (finding 12).
import { readCappedText } from "@/lib/security/capped-body";
import { webhookSecretMatches } from "./delivery-reports";

export const WEBHOOK_MAX_BODY_BYTES = 8 * 1024;

export async function readWebhookForm(
  request: Request,
  secret: string,
): Promise<{ ok: true; url: URL; form: URLSearchParams } | { ok: false; status: 401 | 413 }> {
  const url = new URL(request.url);
  if (!webhookSecretMatches(url.searchParams.get("secret"), secret)) return { ok: false, status: 401 };
  const text = await readCappedText(request, WEBHOOK_MAX_BODY_BYTES);
  if (text === null) return { ok: false, status: 413 };
  return { ok: true, url, form: new URLSearchParams(text) };
}
