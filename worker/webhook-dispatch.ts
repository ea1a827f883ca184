// Sends the booking system's webhooks (Standard Webhooks, issue 14). The outbox is written in the
// booking's own transaction; each pass here (1) fans new events out to one dispatch per subscribed
// endpoint, (2) claims due dispatches with FOR UPDATE SKIP LOCKED and a lease, (3) signs and POSTs
// each (10 s timeout), (4) stores the outcome: 2xx delivered, anything else retried with backoff and
// jitter until 24 h after the first try, then `failed` (visible in `npm run webhooks -- list --failed`).
//
// At least once, never in parallel: a worker that dies mid-send leaves its rows `sending` until the
// lease runs out, and then any worker sends them again with the same `webhook-id`. Once the lease
// has run out, another worker may take the row, so every try must end inside the lease: a pass
// claims no more rows than `concurrency` senders get through in the lease (webhookClaimLimit), and
// before each POST a row whose lease would end before `now + timeout + margin` is handed back
// unsent (releaseDispatch) instead. Counting on the claim alone is not enough: a slow database or
// a stalled event loop can stretch a pass past its estimate.
import { eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiClients, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { decryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import { postWebhook } from "@/lib/webhooks/post";
import {
  claimDispatches,
  fanOutEvents,
  recordOutcome,
  releaseDispatch,
  type ClaimedDispatch,
} from "@/lib/webhooks/queue";
import { afterFailure, DEFAULT_RETRY_POLICY, type RetryPolicy } from "@/lib/webhooks/retry-policy";
import { signWebhook } from "@/lib/webhooks/signing";
import { startPollingLoop, type PollingLoop } from "./poll-loop";

export interface WebhookDispatchConfig {
  db: Db;
  /** The PII key decrypts the endpoints' signing secrets. */
  keys: PiiKeys;
  /** Production: https only and public addresses only (SSRF). */
  production: boolean;
  now?: () => Date;
  random?: () => number;
  batchSize?: number;
  concurrency?: number;
  leaseMs?: number;
  timeoutMs?: number;
  policy?: RetryPolicy;
  /** Counts and ids only: never a body or a secret. */
  log?: (line: string) => void;
}

export interface WebhookPassResult {
  fannedOut: number;
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
  /** Outcomes not stored because another worker had taken the row (lease ran out). */
  lost: number;
  /** Claimed but handed back unsent: too little of the lease was left for a whole try. */
  released: number;
}

/**
 * Time kept free at the end of a lease after a try's timeout: for storing the outcome, timer lag
 * and small clock differences between workers (leases are set by each worker's own clock).
 */
export const LEASE_MARGIN_MS = 1_000;

const DEFAULTS = { batchSize: 50, concurrency: 8, leaseMs: 60_000, timeoutMs: 10_000 };

/**
 * How many rows one pass may claim: `concurrency` tries at a time, each up to `timeoutMs`, all
 * ended `LEASE_MARGIN_MS` before the lease does; at most `batchSize`. Throws if not even one try
 * fits in the lease (a worker would claim rows only to hand them back).
 */
export function webhookClaimLimit(config: Partial<Pick<WebhookDispatchConfig, keyof typeof DEFAULTS>>): number {
  const { batchSize, concurrency, leaseMs, timeoutMs } = { ...DEFAULTS, ...config };
  const rounds = Math.floor((leaseMs - LEASE_MARGIN_MS) / timeoutMs);
  if (rounds < 1)
    throw new Error(`webhooks: the lease (${leaseMs} ms) must exceed the send timeout plus ${LEASE_MARGIN_MS} ms`);
  return Math.max(1, Math.min(batchSize, Math.max(1, concurrency) * rounds));
}

export async function runWebhookPass(config: WebhookDispatchConfig): Promise<WebhookPassResult> {
  const now = config.now ?? (() => new Date());
  const random = config.random ?? Math.random;
  const timeoutMs = config.timeoutMs ?? DEFAULTS.timeoutMs;
  const limit = webhookClaimLimit(config);
  const result: WebhookPassResult = {
    fannedOut: 0,
    claimed: 0,
    delivered: 0,
    retried: 0,
    failed: 0,
    lost: 0,
    released: 0,
  };
  result.fannedOut = await fanOutEvents(config.db, now());
  const claimed = await claimDispatches(config.db, now(), { limit, leaseMs: config.leaseMs ?? DEFAULTS.leaseMs });
  result.claimed = claimed.length;
  if (claimed.length === 0) return result;
  const targets = await loadTargets(config, claimed, now());

  const queue = [...claimed];
  const sendNext = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const target = targets.get(c.id);
      if (target === "revoked") {
        // A revoked client gets nothing more, not even what was queued before the revocation.
        const stored = await recordOutcome(
          config.db,
          c,
          { kind: "failed", status: null, error: "client_revoked" },
          now(),
        );
        result[stored ? "failed" : "lost"] += 1;
        continue;
      }
      if (now().getTime() + timeoutMs + LEASE_MARGIN_MS > c.leaseExpiresAt.getTime()) {
        // This try could outlive the lease, and then another worker could send the same event
        // while it is still in flight. Hand it back unsent; the next pass takes it with a fresh lease.
        if (await releaseDispatch(config.db, c, now())) result.released += 1;
        else result.lost += 1;
        continue;
      }
      const tried = target
        ? await postWebhook(target.url, target.body, signWebhook({ ...target, id: c.eventId, at: now() }), {
            timeoutMs,
            publicOnly: config.production,
          })
        : ({ kind: "error", error: "endpoint_or_event_missing" } as const);
      const at = now();
      const outcome =
        tried.kind === "response" && tried.status >= 200 && tried.status < 300
          ? ({ kind: "delivered", status: tried.status } as const)
          : failureOutcome(c, tried, at, random(), config.policy ?? DEFAULT_RETRY_POLICY);
      const stored = await recordOutcome(config.db, c, outcome, at);
      if (!stored) result.lost += 1;
      else result[outcome.kind === "retry" ? "retried" : outcome.kind] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, config.concurrency ?? DEFAULTS.concurrency) }, sendNext));
  if (result.failed > 0 || result.lost > 0 || result.released > 0)
    config.log?.(
      `webhooks: ${result.failed} dispatch(es) failed for good, ${result.lost} outcome(s) superseded, ${result.released} handed back unsent (lease nearly over)`,
    );
  return result;
}

function failureOutcome(
  c: ClaimedDispatch,
  tried: Awaited<ReturnType<typeof postWebhook>>,
  at: Date,
  random: number,
  policy: RetryPolicy,
) {
  const status = tried.kind === "response" ? tried.status : null;
  const error = tried.kind === "error" ? tried.error : `http_${tried.status}`;
  const next = afterFailure({ attempts: c.attempts, windowStartedAt: c.windowStartedAt, now: at, random }, policy);
  return next.kind === "retry"
    ? ({ kind: "retry", at: next.at, status, error } as const)
    : ({ kind: "failed", status, error } as const);
}

/** URL, body and the secrets in force for each claimed dispatch: two selects for the batch. */
async function loadTargets(config: WebhookDispatchConfig, claimed: ClaimedDispatch[], now: Date) {
  const events = await config.db
    .select({ id: webhookDeliveries.id, body: webhookDeliveries.body })
    .from(webhookDeliveries)
    .where(
      inArray(
        webhookDeliveries.id,
        claimed.map((c) => c.eventId),
      ),
    );
  const endpoints = await config.db
    .select({
      id: webhookEndpoints.id,
      url: webhookEndpoints.url,
      secretEnc: webhookEndpoints.secretEnc,
      previousSecretEnc: webhookEndpoints.previousSecretEnc,
      previousUntil: webhookEndpoints.previousUntil,
      revokedAt: apiClients.revokedAt,
    })
    .from(webhookEndpoints)
    .innerJoin(apiClients, eq(apiClients.id, webhookEndpoints.apiClientId))
    .where(
      inArray(
        webhookEndpoints.id,
        claimed.map((c) => c.endpointId),
      ),
    );
  const bodyOf = new Map(events.map((e) => [e.id, e.body]));
  const endpointOf = new Map(endpoints.map((e) => [e.id, e]));
  const targets = new Map<string, { url: string; body: string; secrets: string[] } | "revoked">();
  for (const c of claimed) {
    const body = bodyOf.get(c.eventId);
    const endpoint = endpointOf.get(c.endpointId);
    if (!body || !endpoint) continue;
    if (endpoint.revokedAt) {
      targets.set(c.id, "revoked");
      continue;
    }
    const secrets = [decryptPii(endpoint.secretEnc, config.keys)];
    // During a rotation the old secret signs too, so a receiver not yet switched still verifies.
    if (endpoint.previousSecretEnc && endpoint.previousUntil && endpoint.previousUntil > now)
      secrets.push(decryptPii(endpoint.previousSecretEnc, config.keys));
    targets.set(c.id, { url: endpoint.url, body, secrets });
  }
  return targets;
}

export function startWebhookWorker(config: WebhookDispatchConfig, opts: { pollMs?: number } = {}): PollingLoop {
  const limit = webhookClaimLimit(config);
  return startPollingLoop(
    "webhooks",
    async () => {
      const r = await runWebhookPass(config);
      return { full: r.claimed >= limit };
    },
    { pollMs: opts.pollMs, log: config.log },
  );
}
