// Behind PgBouncer in transaction mode (Welkin's managed PostgreSQL puts one in front), with
// Debian's pgbouncer 1.18 running as an unprivileged user before the real Postgres: the app's
// database layer works with prepared statements off (DATABASE_PGBOUNCER=transaction), including
// booking races, the cancel transaction and the worker's SKIP LOCKED claims. (With prepared
// statements on, postgres.js against this very setup stalls or fails with "prepared statement
// … does not exist": statements land on server connections they were not prepared on.)
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseOptionsFromEnv, migrateDatabase, openDatabase, type DatabaseHandle } from "@/db/client";
import * as s from "@/db/schema";
import { verifySealed } from "@/test/audit-seal";
import { bookAppointment, cancelAppointment } from "@/lib/appointments/service";
import { ElksGateway } from "@/lib/sms/elks";
import { runDueSms } from "@/worker/sms-dispatch";
import { startSmsSimulator, type SmsSimulator } from "@/simulators/sms/server";
import { requirePostgresInCi } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { consentToSms, startDeliveryEndpoint, WEBHOOK_SECRET, type AppStub } from "@/test/sms-harness";

requirePostgresInCi();
const adminUrl = process.env.TEST_DATABASE_URL;
const hasPgbouncer = spawnSync("pgbouncer", ["--version"]).status === 0;
if (process.env.CI && adminUrl && !hasPgbouncer) throw new Error("CI must have pgbouncer (apt-get install pgbouncer)");
const BOUNCER_PORT = 55410;
const NOBODY = 65534;

describe.skipIf(!adminUrl || !hasPgbouncer)("the app's database layer through PgBouncer (transaction mode)", () => {
  let admin: postgres.Sql;
  let dbName: string;
  let dir: string;
  let bouncer: ChildProcess;
  let bouncerLog = "";
  let handle: DatabaseHandle;
  let sim: SmsSimulator;
  let app: AppStub;
  const now = new Date("2030-03-04T09:00:00Z");
  const audit = { ip: "192.0.2.1", userAgent: "test" };

  beforeAll(async () => {
    admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
    dbName = `vardtid_bouncer_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
    await admin.unsafe(`create database ${dbName}`);
    const direct = new URL(adminUrl!);
    direct.pathname = `/${dbName}`;
    // Migrations connect directly (their advisory lock is a session lock), as in Kubernetes.
    const migrator = openDatabase({ url: direct.toString(), max: 2 });
    await migrateDatabase(migrator);
    await migrator.close();

    dir = mkdtempSync(path.join(tmpdir(), "vardtid-pgbouncer-"));
    chmodSync(dir, 0o755);
    writeFileSync(path.join(dir, "userlist.txt"), `"${direct.username || "postgres"}" ""\n`);
    writeFileSync(
      path.join(dir, "pgbouncer.ini"),
      [
        "[databases]",
        `* = host=${direct.hostname} port=${direct.port || 5432}`,
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        `listen_port = ${BOUNCER_PORT}`,
        "unix_socket_dir =",
        "auth_type = trust",
        `auth_file = ${path.join(dir, "userlist.txt")}`,
        "pool_mode = transaction",
        // Few server connections for many clients: statements land on connections they were not
        // prepared on, which is exactly what breaks prepared statements in this mode.
        "default_pool_size = 3",
        "max_client_conn = 200",
        "ignore_startup_parameters = extra_float_digits",
        "admin_users = postgres",
        "",
      ].join("\n"),
    );
    bouncer = spawn(
      "setpriv",
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "pgbouncer", path.join(dir, "pgbouncer.ini")],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    bouncer.stdout!.on("data", (d: Buffer) => (bouncerLog += String(d)));
    bouncer.stderr!.on("data", (d: Buffer) => (bouncerLog += String(d)));
    const url = new URL(direct);
    url.port = String(BOUNCER_PORT);
    url.hostname = "127.0.0.1";
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const probe = postgres(url.toString(), { max: 1, prepare: false, onnotice: () => {} });
        await probe`select 1`;
        await probe.end();
        break;
      } catch (error) {
        if (Date.now() > deadline || bouncer.exitCode !== null)
          throw new Error(`pgbouncer did not start: ${bouncerLog}`, { cause: error });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    // Exactly as the app opens it with DATABASE_PGBOUNCER=transaction.
    const options = databaseOptionsFromEnv({
      DATABASE_URL: url.toString(),
      PGLITE_DATA_DIR: "unused",
      DATABASE_PGBOUNCER: "transaction",
    });
    expect(options.prepare).toBe(false);
    handle = openDatabase({ ...options, max: 12 });
    sim = await startSmsSimulator({ dlrDeliveredDelayMs: 30 });
    app = await startDeliveryEndpoint(handle.db);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await handle?.close();
    bouncer?.kill("SIGTERM");
    await admin?.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin?.end();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs as an unprivileged user, in transaction mode", async () => {
    const ps = spawnSync("ps", ["-o", "uid=,comm=", "-p", String(bouncer.pid)], { encoding: "utf8" });
    expect(ps.stdout.trim()).toMatch(new RegExp(`^${NOBODY}\\s+pgbouncer`));
    const console = postgres(`postgres://postgres@127.0.0.1:${BOUNCER_PORT}/pgbouncer`, {
      fetch_types: false,
      max: 1,
      prepare: false,
      onnotice: () => {},
    });
    try {
      const pools = await console.unsafe("show pools").simple();
      expect(pools.some((p: Record<string, unknown>) => p.pool_mode === "transaction")).toBe(true);
    } finally {
      await console.end();
    }
  });

  it("books a slot raced by ten patients once, and the cancel transaction does all of its work", async () => {
    const db = handle.db;
    const { clinic, type } = await makeClinic(db);
    const slot = await makeSlot(db, clinic.id, type.id, new Date("2030-03-09T09:00:00Z"));
    const patients = await Promise.all(Array.from({ length: 10 }, () => makePatient(db)));
    for (const p of patients) await consentToSms(db, p.id, "+46701740600", now);
    const results = await Promise.all(
      patients.map((p) => bookAppointment(db, { patientId: p.id, slotId: slot.id, now })),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error === "taken")).toHaveLength(9);
    const appointmentId = (winners[0] as { appointmentId: string }).appointmentId;
    const [booked] = await db.select().from(s.appointments).where(eq(s.appointments.id, appointmentId));
    const reminders = await db.select().from(s.messages).where(eq(s.messages.appointmentId, appointmentId));
    expect(reminders.length).toBeGreaterThan(0);

    const result = await cancelAppointment(db, booked!.patientId, { appointmentId, reason: null, now, audit });
    expect(result.ok).toBe(true);
    const after = await db.select().from(s.messages).where(eq(s.messages.appointmentId, appointmentId));
    expect(after.every((m) => m.status === "cancelled")).toBe(true);
    const jobs = await db.select().from(s.waitlistJobs).where(eq(s.waitlistJobs.slotId, slot.id));
    expect(jobs).toHaveLength(1);
    const [event] = await db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.resourceId, appointmentId), eq(s.auditEvents.action, "appointment.cancel")));
    expect(event?.ip).toBe("192.0.2.1");
    expect(await verifySealed(db)).toEqual([]);
  });

  it("two workers claiming at once through PgBouncer send each reminder exactly once", async () => {
    const db = handle.db;
    const { clinic, type } = await makeClinic(db);
    let n = 0;
    for (let i = 0; i < 30; i++) {
      const patient = await makePatient(db);
      await consentToSms(db, patient.id, `+4670174${String(1000 + n++).padStart(4, "0")}`, now);
      const slot = await makeSlot(db, clinic.id, type.id, new Date(Date.UTC(2030, 2, 9, 8, i)));
      await bookAppointment(db, { patientId: patient.id, slotId: slot.id, now });
    }
    const due = await db.execute(sql`select count(*)::int as n from messages where status = 'queued'`);
    const queued = Number((due as unknown as { n: number }[])[0]!.n);
    expect(queued).toBeGreaterThanOrEqual(30);
    const config = {
      db,
      gateway: new ElksGateway({ baseUrl: sim.url, username: "demo", password: "demo", timeoutMs: 5_000 }),
      keys: testKeys,
      sender: "Vardtid",
      publicBaseUrl: app.url,
      webhookSecret: WEBHOOK_SECRET,
      now: () => new Date("2030-03-10T12:00:00Z"),
      batchSize: 7,
    };
    let claimed = 0;
    for (let round = 0; round < 20; round++) {
      const [a, b] = await Promise.all([runDueSms(config), runDueSms(config)]);
      claimed += a.claimed + b.claimed;
      if (a.claimed + b.claimed === 0) break;
    }
    expect(claimed).toBeGreaterThanOrEqual(queued);
    const res = await fetch(`${sim.url}/__simulator/messages`);
    const { messages } = (await res.json()) as { messages: { idempotencyKey: string | null; duplicates: number }[] };
    const keys = messages.map((m) => m.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(messages.every((m) => m.duplicates === 0)).toBe(true);
    const left = await db.execute(sql`select count(*)::int as n from messages where status in ('queued', 'sending')`);
    expect(Number((left as unknown as { n: number }[])[0]!.n)).toBe(0);
  });
});
