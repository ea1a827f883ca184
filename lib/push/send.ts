// Sends one web push message (RFC 8030) with an RFC 8291-encrypted payload through `web-push`.
// The payload is as privacy-minimal as an SMS: a title, time and the clinic's SMS-safe name,
// and an opaque link.
import { lookup, type LookupAddress, type LookupOptions } from "node:dns";
import { Agent } from "node:https";
import webpush from "web-push";
import { isPublicAddress } from "@/lib/security/public-address";
import type { VapidKeys } from "./vapid";

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushPayload {
  title: string;
  body: string;
  /** One of our own paths, e.g. /l/<token>. */
  url: string;
  messageId?: string;
  /** The text's language (BCP 47), so the notification is read out in the right language. */
  lang?: string;
}

export type PushResult =
  | { ok: true; status: number }
  | { ok: false; gone: true; status: number }
  | { ok: false; gone: false; retryable: boolean; status?: number };

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * DNS for push connections: every address the name resolves to must be public. Checked at connect
 * time, so a name that resolved to a public address when the worker checked it and to 127.0.0.1 a
 * moment later (DNS rebinding) is still refused.
 */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address))) {
      const refused: NodeJS.ErrnoException = new Error("push endpoint resolves to a non-public address");
      refused.code = "ENOTPUBLIC";
      return callback(refused, []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

const publicOnlyAgent = new Agent({ keepAlive: true, lookup: publicOnlyLookup as never });

export async function sendPush(
  target: PushTarget,
  payload: PushPayload,
  vapid: VapidKeys,
  options: { ttlSeconds?: number; timeoutMs?: number; /** Tests: trust a local push service. */ agent?: Agent } = {},
): Promise<PushResult> {
  try {
    const res = await webpush.sendNotification(
      { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
      JSON.stringify(payload),
      {
        vapidDetails: vapid,
        TTL: options.ttlSeconds ?? 4 * 3600,
        contentEncoding: "aes128gcm",
        timeout: options.timeoutMs ?? 10_000,
        urgency: "normal",
        agent: options.agent ?? publicOnlyAgent,
      },
    );
    return { ok: true, status: res.statusCode };
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    // 404/410: the subscription is gone for good (unsubscribed, expired); remove it.
    if (status === 404 || status === 410) return { ok: false, gone: true, status };
    return { ok: false, gone: false, retryable: status === undefined || status === 429 || status >= 500, status };
  }
}
