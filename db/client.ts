// One database client for the whole process: postgres.js when DATABASE_URL is set, otherwise
// PGlite (embedded Postgres) persisted in a data folder. Both run the same committed migrations.
import path from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle has the same query API as the database. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export type DatabaseHandle =
  | { driver: "postgres"; db: Db; sqlClient: postgres.Sql; close(): Promise<void> }
  | { driver: "pglite"; db: Db; pglite: PGlite; close(): Promise<void> };

export const migrationsFolder = path.join(/*turbopackIgnore: true*/ process.cwd(), "db", "migrations");

export interface DatabaseOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string;
  /** PGlite data folder, or "memory" for a throwaway in-memory database. */
  dataDir?: string;
  /** Pool size for postgres.js. */
  max?: number;
  /**
   * Named prepared statements (postgres.js default: on). Off behind PgBouncer in transaction mode:
   * PgBouncer 1.18 hands each transaction any server connection, where a statement prepared on
   * another one does not exist.
   */
  prepare?: boolean;
}

/** The database options of a process from its validated environment (app, worker, migrations). */
export function databaseOptionsFromEnv(e: {
  DATABASE_URL: string | undefined;
  PGLITE_DATA_DIR: string;
  DATABASE_PGBOUNCER: "off" | "transaction" | "session";
}): DatabaseOptions {
  return { url: e.DATABASE_URL, dataDir: e.PGLITE_DATA_DIR, prepare: e.DATABASE_PGBOUNCER !== "transaction" };
}

/** Longest wait before a connection of the pool tries Postgres again after a failed attempt. */
export const MAX_RECONNECT_DELAY_MS = 1_000;

/**
 * postgres.js's wait (seconds) before reconnecting after the n-th failed attempt in a row: 50 ms,
 * doubling, at most MAX_RECONNECT_DELAY_MS.
 *
 * Why not postgres.js's default, (0.5–1) × min(3^n / 100, 20) s: n counts the failed attempts of
 * the whole pool and is reset only by a successful connection, and every query a process tries
 * while Postgres is away (a restart, a failover) is one. A worker polling every few hundred ms
 * reaches n = 7 within seconds, so once Postgres was back its queries waited up to 20 s more for
 * the delayed reconnect, hanging meanwhile (the pending query is simply held, not failed). The SMS
 * worker's first statement then is the outcomes it kept while the database was away
 * (worker/sms/backlog.ts): 20 s late is past the lease in the faults test (deploy/faults.test.ts
 * sent 40 of 300 twice: the other worker, whose pool happened to reconnect sooner, took the rows
 * whose lease had run out and sent them again) and a sixth of the default 120 s lease in
 * production. A fixed short cap costs a down server at most one connection attempt per pool
 * connection per second, and only while queries are waiting.
 */
export function reconnectBackoffSeconds(failedAttempts: number): number {
  return Math.min(0.05 * 2 ** failedAttempts, MAX_RECONNECT_DELAY_MS / 1000);
}

const NAMED_STATEMENTS = "vardtidNamedStatements";

/**
 * Whether a hot query may be a named prepared statement on this database (drizzle's `.prepare()`):
 * Postgres then plans it once per connection instead of at every execution, which for the
 * five-table list of Mina tider cost more than running it (bench/README.md, part (a)). Not behind
 * PgBouncer in transaction mode (see `prepare` above), and not on PGlite (one process, the demo).
 */
export function mayPrepare(db: DbOrTx): boolean {
  return (db as unknown as Record<string, unknown>)[NAMED_STATEMENTS] === true;
}

/**
 * The postgres.js client as drizzle sees it, with every statement a named prepared one.
 *
 * Why: drizzle sends each query with `prepare: false` unless it was built with `.prepare(name)`,
 * so Postgres parsed and planned every statement at every execution, on the same two cores as the
 * app. postgres.js names and keeps a statement per connection by its text (drizzle's texts are
 * fixed, the values are parameters), so each is parsed once per connection. Measured with 500
 * patients racing for one slot and with 100 000 reminders (bench/README.md). Raw SQL with several
 * statements cannot be a prepared statement, so a text with a `;` is sent as before. Transactions
 * and savepoints hand drizzle a client of their own: wrapped the same way.
 */
export function preparingClient<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === "unsafe") {
        return (query: string, params?: unknown[], opts?: Record<string, unknown>) =>
          fn.call(target, query, params, query.includes(";") ? opts : { ...opts, prepare: true });
      }
      if (prop === "begin" || prop === "savepoint") {
        return (...args: unknown[]) => {
          const last = args.length - 1;
          const callback = args[last] as (tx: object) => unknown;
          args[last] = (tx: object) => callback(preparingClient(tx));
          return fn.apply(target, args);
        };
      }
      return fn.bind(target);
    },
  });
}

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.url) {
    const sqlClient = postgres(options.url, {
      max: options.max ?? 10,
      prepare: options.prepare ?? true,
      onnotice: () => {},
      // Dates in and out as JS Dates in UTC; the UI formats them in the clinic's zone.
      connection: { TimeZone: "UTC" },
      backoff: reconnectBackoffSeconds,
    });
    const prepare = options.prepare ?? true;
    const db = drizzlePostgres(prepare ? preparingClient(sqlClient) : sqlClient, { schema }) as unknown as Db;
    // Read by mayPrepare. A property of the database object rather than a module-level set: the
    // app's server and Next's bundle each load this module, and share one database (db/handle.ts).
    if (prepare) Object.defineProperty(db, NAMED_STATEMENTS, { value: true });
    return { driver: "postgres", db, sqlClient, close: () => sqlClient.end({ timeout: 5 }) };
  }
  const dataDir = options.dataDir ?? "./data/pglite";
  // The data folder is chosen at run time; tell the bundler not to trace it.
  const folder = dataDir === "memory" ? undefined : path.resolve(/*turbopackIgnore: true*/ dataDir);
  if (folder) mkdirSync(path.dirname(/*turbopackIgnore: true*/ folder), { recursive: true });
  const pglite = folder ? new PGlite(/*turbopackIgnore: true*/ folder) : new PGlite();
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  return { driver: "pglite", db, pglite, close: () => pglite.close() };
}

// Held while migrating: of several processes starting at once (Kubernetes init containers of
// every new pod), one migrates and the others wait, then find nothing left to do.
const MIGRATION_LOCK = 7_270_002;

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.driver === "postgres") {
    // The lock lives on a connection of its own (a session lock: hence migrations connect to
    // Postgres directly, not through PgBouncer in transaction mode); the migrator uses another.
    if ((handle.sqlClient.options.max ?? 10) < 2) throw new Error("migrateDatabase needs a pool of at least 2");
    const lock = await handle.sqlClient.reserve();
    try {
      await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await migratePostgres(handle.db as never, { migrationsFolder });
    } finally {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
      lock.release();
    }
  } else {
    await migratePglite(handle.db as never, { migrationsFolder });
  }
}

/** Number of committed migrations and how many the database has applied. */
export async function migrationStatus(db: Db): Promise<{ expected: number; applied: number }> {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  let applied = 0;
  try {
    const result = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    applied = Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
  } catch {
    applied = 0;
  }
  return { expected: journal.entries.length, applied };
}

/** postgres.js returns an array, PGlite an object with rows: one shape for callers. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
