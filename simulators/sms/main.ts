import { startSmsSimulator } from "./server";

// `npm run sim:sms`: the 46elks stand-in for demo mode and manual testing.

function fail(line: string): never {
  console.error(`SMS simulator: ${line}`);
  process.exit(1);
}

function readInteger(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    fail(`${name} must be a whole number from 0 to ${max}, got "${raw}"`);
  }
  return value;
}

const smsUrl = process.env.SMS_SIM_SMS_URL || undefined;
if (smsUrl !== undefined && !URL.canParse(smsUrl)) fail("SMS_SIM_SMS_URL must be an absolute URL");

const simulator = await startSmsSimulator({
  port: readInteger("SMS_SIM_PORT", 3102, 65_535),
  host: process.env.SMS_SIM_HOST || "127.0.0.1",
  username: process.env.SMS_SIM_USERNAME || "demo",
  password: process.env.SMS_SIM_PASSWORD || "demo",
  dlrSentDelayMs: readInteger("SMS_SIM_DLR_SENT_DELAY_MS", 0, 3_600_000),
  dlrDeliveredDelayMs: readInteger("SMS_SIM_DLR_DELIVERED_DELAY_MS", 1_000, 3_600_000),
  smsUrl,
  log: (line) => console.log(line),
}).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));

console.log(`SMS simulator: ${simulator.url}`);
console.log(`SMS simulator inbox: ${simulator.url}/`);

let stopping = false;
function stop(): void {
  // A second Ctrl-C means "now", even if a callback is still hanging.
  if (stopping) process.exit(1);
  stopping = true;
  simulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
