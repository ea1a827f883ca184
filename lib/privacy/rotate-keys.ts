// Key rotation for the column encryption (`npm run keys:rotate`): re-encrypts every encrypted
// column to the current key version, in small batches, while the app keeps serving. The app reads
// old and new ciphertexts alike (every ciphertext names its key version, lib/privacy/crypto.ts), so
// nothing waits for the run. Each batch is one UPDATE that only replaces a value that is still the
// one it read (compare-and-set): a row the app changed meanwhile is left alone (the app wrote it
// with the current key anyway, or a later run picks it up). Idempotent (a second run finds
// nothing), resumable (a stopped run just starts again), and it counts what it did.
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  ciphertextKeyVersion,
  currentKeyVersion,
  decryptPii,
  encryptPii,
  keyVersionPrefix,
  type PiiKeys,
} from "./crypto";

/** Every encrypted column (db/schema.ts: the `*_enc` columns; a test keeps this list complete). */
export const ENCRYPTED_COLUMNS = [
  { table: "patients", key: "id", column: "personal_number_enc" },
  { table: "patients", key: "id", column: "phone_enc" },
  { table: "phone_verifications", key: "patient_id", column: "phone_enc" },
  { table: "guardianships", key: "id", column: "guardian_personal_number_enc" },
  { table: "messages", key: "id", column: "to_enc" },
  { table: "messages", key: "id", column: "body_enc" },
  { table: "webhook_endpoints", key: "id", column: "secret_enc" },
  { table: "webhook_endpoints", key: "id", column: "previous_secret_enc" },
  { table: "login_orders", key: "id", column: "qr_start_secret_enc" },
] as const;

export interface ColumnCounts {
  column: string;
  /** Values not yet under the current key that this run looked at. */
  found: number;
  reencrypted: number;
  /** Changed by the app between our read and our write: left as the app wrote it. */
  changedMeanwhile: number;
  /** No key configured for their version, or not decryptable: left untouched, listed by version. */
  failed: number;
}

export interface RotationResult {
  keyVersion: number;
  columns: ColumnCounts[];
  reencrypted: number;
  failed: number;
  /** What still is not under the current key after the run (0 when done). */
  remaining: number;
  ms: number;
}

export interface RotationOptions {
  batchSize?: number;
  /** Called after each batch (the CLI prints progress). */
  onBatch?: (column: string, counts: ColumnCounts) => void;
}

/** Values of every encrypted column not yet under the current key. */
export async function countNotCurrent(db: Db, keys: PiiKeys): Promise<number> {
  const prefix = keyVersionPrefix(currentKeyVersion(keys));
  let total = 0;
  for (const c of ENCRYPTED_COLUMNS) {
    const rows = await db.execute(
      sql`select count(*)::int as n from ${sql.identifier(c.table)}
          where ${sql.identifier(c.column)} is not null and left(${sql.identifier(c.column)}, ${prefix.length}) <> ${prefix}`,
    );
    total += Number(rowsOf<{ n: number }>(rows)[0]?.n ?? 0);
  }
  return total;
}

function rowsOf<T>(result: unknown): T[] {
  // postgres.js returns the rows as an array; PGlite as { rows }.
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

export async function rotateEncryptedColumns(
  db: Db,
  keys: PiiKeys,
  options: RotationOptions = {},
): Promise<RotationResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 500;
  const version = currentKeyVersion(keys);
  const prefix = keyVersionPrefix(version);
  const columns: ColumnCounts[] = [];
  for (const c of ENCRYPTED_COLUMNS) {
    const counts: ColumnCounts = {
      column: `${c.table}.${c.column}`,
      found: 0,
      reencrypted: 0,
      changedMeanwhile: 0,
      failed: 0,
    };
    const table = sql.identifier(c.table);
    const key = sql.identifier(c.key);
    const column = sql.identifier(c.column);
    // Keyset pagination over the primary key: one pass, each row at most once per run.
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const batch = rowsOf<{ k: string; v: string }>(
        await db.execute(
          sql`select ${key}::text as k, ${column} as v from ${table}
              where ${key} > ${after}::uuid and ${column} is not null and left(${column}, ${prefix.length}) <> ${prefix}
              order by ${key} limit ${batchSize}`,
        ),
      );
      if (batch.length === 0) break;
      after = batch.at(-1)!.k;
      counts.found += batch.length;
      const changes: { k: string; old: string; next: string }[] = [];
      for (const row of batch) {
        try {
          if (ciphertextKeyVersion(row.v) === null) throw new Error("not a ciphertext");
          changes.push({ k: row.k, old: row.v, next: encryptPii(decryptPii(row.v, keys), keys) });
        } catch {
          counts.failed++;
        }
      }
      if (changes.length > 0) {
        const values = sql.join(
          changes.map((ch) => sql`(${ch.k}::uuid, ${ch.old}::text, ${ch.next}::text)`),
          sql`, `,
        );
        const updated = rowsOf<{ k: string }>(
          await db.execute(
            sql`update ${table} as t set ${column} = v.next
                from (values ${values}) as v(k, old, next)
                where t.${key} = v.k and t.${column} = v.old
                returning t.${key}::text as k`,
          ),
        );
        counts.reencrypted += updated.length;
        counts.changedMeanwhile += changes.length - updated.length;
      }
      options.onBatch?.(counts.column, counts);
      if (batch.length < batchSize) break;
    }
    columns.push(counts);
  }
  return {
    keyVersion: version,
    columns,
    reencrypted: columns.reduce((n, c) => n + c.reencrypted, 0),
    failed: columns.reduce((n, c) => n + c.failed, 0),
    remaining: await countNotCurrent(db, keys),
    ms: Date.now() - started,
  };
}
