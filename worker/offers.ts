// The waitlist's worker loop: expires lapsed offers (offering the slot to the next in line) and
// runs the "slot freed" jobs queued by cancels, rebooks, accepted offers and added slots. Its own
// small loop beside the SMS worker; the offer SMS it writes are sent by the SMS worker.
import type { Db } from "@/db/client";
import { runOfferPass } from "@/lib/waitlist/offers";
import type { PiiKeys } from "@/lib/privacy/crypto";
import { startPollingLoop, type PollingLoop } from "./poll-loop";

export interface OfferWorkerConfig {
  db: Db;
  keys: PiiKeys;
  publicBaseUrl: string;
  now?: () => Date;
  log?: (line: string) => void;
}

export type OfferWorker = PollingLoop;

export function startOfferWorker(config: OfferWorkerConfig, opts: { pollMs?: number } = {}): OfferWorker {
  const now = config.now ?? (() => new Date());
  return startPollingLoop(
    "offer worker",
    async () => {
      const r = await runOfferPass(config.db, { keys: config.keys, publicBaseUrl: config.publicBaseUrl, now: now() });
      if (r.jobs > 0 || r.expired > 0)
        config.log?.(
          `offer worker: ${r.jobs} freed slots, ${r.offered} offers, ${r.expired} expired, ${r.failed} failed`,
        );
      return { full: false };
    },
    { pollMs: opts.pollMs, log: config.log },
  );
}
