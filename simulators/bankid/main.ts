import { readFileSync } from "node:fs";
import { z } from "zod";
import { startBankIdSimulator, type BankIdSimulatorTls } from "./server";

/** `npm run sim:bankid`: the simulator as a process, configured by environment variables. */

// An empty variable counts as unset, as it does for most tools.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
const millis = z.coerce.number().int().min(1);

const envSchema = z.object({
  BANKID_SIM_PORT: optional(z.coerce.number().int().min(0).max(65_535)),
  BANKID_SIM_HOST: optional(z.string()),
  BANKID_SIM_TLS_CERT: optional(z.string()),
  BANKID_SIM_TLS_KEY: optional(z.string()),
  BANKID_SIM_TLS_CA: optional(z.string()),
  BANKID_SIM_START_FAILED_MS: optional(millis),
  BANKID_SIM_EXPIRE_MS: optional(millis),
  BANKID_SIM_APP_URL_BASE: optional(z.url()),
});

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    console.error(`BankID simulator: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "bad environment"}`);
    process.exit(1);
  }
  const env = parsed.data;

  const tlsFiles = [env.BANKID_SIM_TLS_CERT, env.BANKID_SIM_TLS_KEY, env.BANKID_SIM_TLS_CA];
  const tlsCount = tlsFiles.filter((f) => f !== undefined).length;
  if (tlsCount !== 0 && tlsCount !== 3) {
    console.error(
      "BankID simulator: set all of BANKID_SIM_TLS_CERT, BANKID_SIM_TLS_KEY and BANKID_SIM_TLS_CA, or none",
    );
    process.exit(1);
  }
  let tls: BankIdSimulatorTls | undefined;
  if (env.BANKID_SIM_TLS_CERT && env.BANKID_SIM_TLS_KEY && env.BANKID_SIM_TLS_CA) {
    tls = {
      cert: readFileSync(env.BANKID_SIM_TLS_CERT),
      key: readFileSync(env.BANKID_SIM_TLS_KEY),
      ca: readFileSync(env.BANKID_SIM_TLS_CA),
      requestCert: true,
    };
  }

  const sim = await startBankIdSimulator({
    port: env.BANKID_SIM_PORT ?? 3101,
    host: env.BANKID_SIM_HOST ?? "127.0.0.1",
    ...(tls ? { tls } : {}),
    ...(env.BANKID_SIM_START_FAILED_MS ? { startFailedAfterMs: env.BANKID_SIM_START_FAILED_MS } : {}),
    ...(env.BANKID_SIM_EXPIRE_MS ? { expireAfterMs: env.BANKID_SIM_EXPIRE_MS } : {}),
    ...(env.BANKID_SIM_APP_URL_BASE ? { appUrlBase: env.BANKID_SIM_APP_URL_BASE } : {}),
  });
  console.log(`BankID simulator: ${sim.apiUrl}`);
  console.log(`Test app: ${sim.appUrl}`);
  console.log(`Control API: ${sim.url}/__simulator/`);
  if (tls) console.log("TLS: client certificates from the configured CA only");

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means "now".
      process.exit(130);
    }
    stopping = true;
    console.log(`BankID simulator: ${signal}, closing`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("BankID simulator: close failed:", err instanceof Error ? err.message : err);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error("BankID simulator: could not start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
