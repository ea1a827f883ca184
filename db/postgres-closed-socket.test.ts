// patches/postgres+3.4.9.patch: postgres.js 3.4.9 crashed the whole process (an uncaught TypeError
// from a setImmediate, "Cannot read properties of null (reading 'write')") when a query went to a
// reserved connection whose backend had gone, as a transaction's ROLLBACK does when Postgres
// restarts mid-transaction (porsager/postgres#1208; the SMS worker died this way in the faults
// test). With the patch the query is rejected with CONNECTION_CLOSED, which callers handle; and a
// query issued between the socket's error and its close no longer waits forever.
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)("postgres.js on a connection whose backend is gone", () => {
  const sql = postgres(url ?? "", { max: 2, onnotice: () => {} });
  const killer = postgres(url ?? "", { max: 1, onnotice: () => {} });
  afterAll(async () => {
    await sql.end({ timeout: 1 });
    await killer.end({ timeout: 1 });
  });

  // Settles within a few seconds or says it hung (a hang is the other way this bug shows).
  const settle = (q: Promise<unknown>) =>
    Promise.race([
      q.then(
        () => "answered",
        (e: { code?: string }) => e.code ?? "error",
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 5_000)),
    ]);

  it("rejects the next queries with CONNECTION_CLOSED instead of crashing the process", async () => {
    const crashes: unknown[] = [];
    const onUncaught = (error: unknown) => crashes.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const reserved = await sql.reserve();
      const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await killer`select pg_terminate_backend(${row!.pid})`;
      // The first query may be written before the client has seen the server close the socket:
      // then the write itself fails (ECONNRESET). Either way it is rejected, never answered or hung.
      // On a quiet machine the write itself fails (ECONNRESET) before the client has seen the
      // close; under load the close comes first. Either way the query is rejected. The next query
      // is issued before the socket's close event: it hung before the second part of the patch.
      expect(["CONNECTION_CLOSED", "ECONNRESET"]).toContain(await settle(reserved`select 1`));
      expect(await settle(reserved`select 1`)).toBe("CONNECTION_CLOSED");
      await new Promise((resolve) => setImmediate(resolve));
      expect(crashes).toEqual([]);
      reserved.release();
      // The pool reconnects and serves new queries again.
      let answer = "";
      for (let i = 0; i < 10 && answer !== "answered"; i++) {
        answer = await settle(sql`select 1`);
        if (answer !== "answered") await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(answer).toBe("answered");
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });
});
