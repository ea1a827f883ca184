// Structured JSON logs (pino) on stdout, one line per event, for the platform's log collector.
// Every object and message goes through scrubValue/scrubText first (lib/log/redact.ts): a patient
// is named in a log only by the internal id (patientId), never by personal or phone number.
import pino, { type DestinationStream, type Logger } from "pino";
import { scrubText, scrubValue } from "./redact";

export type { Logger };

export interface LoggerOptions {
  /** "app", "worker", "migrate": which process wrote the line. */
  service: string;
  level?: string;
  /** Where lines go (tests capture them); default stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
      },
      hooks: {
        // Fields, the message and printf-style arguments are scrubbed before pino sees them (an
        // error's message would otherwise become the line's msg unscrubbed).
        logMethod(args, method) {
          const clean = args.map((a) => (typeof a === "string" ? scrubText(a) : scrubValue(a))) as Parameters<
            typeof method
          >;
          return method.apply(this, clean);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

const globalForLog = globalThis as unknown as { vardtidLogger?: Logger };

/**
 * The process's logger. Shared through globalThis because the custom server and the separately
 * bundled route handlers of the Next server are different module instances of this file.
 */
export function logger(service = process.env.VARDTID_SERVICE ?? "app"): Logger {
  globalForLog.vardtidLogger ??= createLogger({ service });
  return globalForLog.vardtidLogger;
}
