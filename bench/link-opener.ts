// Patients opening the links of their reminders (run in its own process, beside the page load):
// polls the SMS simulator for messages sent since the last poll (`?offset=`), takes the /l/<token>
// link out of each, and opens them oldest first on N keep-alive connections, as a phone browser
// without a session does: GET /l/<token> must redirect to the login page with that link as its
// return address (so the token was found: an unknown one gets a 200 "link not valid" page), and
// the login page must then answer 200 with its heading. SIGTERM ends the run and prints the
// result as one JSON line.
//
//   tsx bench/link-opener.ts '{"smsUrl":"http://127.0.0.1:3604","appBase":"http://127.0.0.1:3601","connections":5}'
import http from "node:http";

export interface LinkOpenerConfig {
  smsUrl: string;
  appBase: string;
  connections: number;
  pollMs?: number;
}

export interface LinkOpenResult {
  /** Links found in the simulator's messages while running, and opened of them. */
  linksSeen: number;
  opened: number;
  ok: number;
  /** Not the login redirect for this token (an error page, "link not valid", another target). */
  wrongAnswer: number;
  errors: number;
  /** Links seen but not opened when stopped. */
  backlog: number;
  seconds: number;
  opensPerSecond: number;
  /** GET /l/<token> alone, and the whole open (the link and the login page it leads to). */
  linkMs: { p50: number; p99: number; max: number };
  openMs: { p50: number; p99: number; max: number };
  firstProblem: string | null;
}

const LINK = /\/l\/([A-Za-z0-9_-]+)/;
const LOGIN_MARKER = 'id="login-title"';

function get(agent: http.Agent, url: string): Promise<{ status: number; location: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, headers: { "user-agent": "vardtid-bench-link" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location ?? null,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function percentiles(values: number[]) {
  const s = Float64Array.from(values).sort();
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { p50: r(at(50)), p99: r(at(99)), max: r(s.length ? s[s.length - 1]! : NaN) };
}

export async function runLinkOpener(cfg: LinkOpenerConfig): Promise<LinkOpenResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.connections });
  const queue: string[] = [];
  let head = 0;
  let linksSeen = 0;
  let offset = 0;
  let stopped = false;
  let firstProblem: string | null = null;
  let ok = 0;
  let wrongAnswer = 0;
  let errors = 0;
  const linkMs: number[] = [];
  const openMs: number[] = [];
  process.once("SIGTERM", () => (stopped = true));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const started = performance.now();

  const poll = async () => {
    while (!stopped) {
      try {
        const res = await fetch(`${cfg.smsUrl}/__simulator/messages?offset=${offset}`);
        const page = (await res.json()) as { messages: { message: string }[]; total?: number };
        // A simulator without `offset` (an older snapshot) lists everything: skip what was read.
        const fresh = page.total === undefined ? page.messages.slice(offset) : page.messages;
        offset = page.total ?? page.messages.length;
        for (const m of fresh) {
          const token = LINK.exec(m.message)?.[1];
          if (!token) continue;
          queue.push(token);
          linksSeen++;
        }
      } catch (e) {
        firstProblem ??= `simulator poll: ${e instanceof Error ? e.message : String(e)}`;
      }
      await sleep(cfg.pollMs ?? 200);
    }
  };

  const open = async (token: string) => {
    const t0 = performance.now();
    try {
      const link = await get(agent, `${cfg.appBase}/l/${token}`);
      linkMs.push(performance.now() - t0);
      const expected = `/login?returnTo=${encodeURIComponent(`/l/${token}`)}`;
      const target = link.location ? new URL(link.location, cfg.appBase) : null;
      if (![302, 303, 307].includes(link.status) || !target || `${target.pathname}${target.search}` !== expected) {
        wrongAnswer++;
        firstProblem ??= `GET /l/…: status ${link.status}, location ${link.location}: ${link.body.slice(0, 200)}`;
        return;
      }
      const login = await get(agent, target.toString());
      if (login.status !== 200 || !login.body.includes(LOGIN_MARKER)) {
        wrongAnswer++;
        firstProblem ??= `login page after a link: status ${login.status}`;
        return;
      }
      openMs.push(performance.now() - t0);
      ok++;
    } catch (e) {
      errors++;
      firstProblem ??= `error ${e instanceof Error ? e.message : String(e)}`;
    }
  };

  const openers = Array.from({ length: cfg.connections }, async () => {
    while (!stopped) {
      if (head < queue.length) await open(queue[head++]!);
      else await sleep(20);
    }
  });
  await Promise.all([poll(), ...openers]);
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return {
    linksSeen,
    opened: head,
    ok,
    wrongAnswer,
    errors,
    backlog: queue.length - head,
    seconds: Math.round(seconds * 100) / 100,
    opensPerSecond: Math.round((ok / seconds) * 100) / 100,
    linkMs: percentiles(linkMs),
    openMs: percentiles(openMs),
    firstProblem,
  };
}

if (process.argv[1] && /link-opener\.ts$/.test(process.argv[1]) && process.argv[2]) {
  const result = await runLinkOpener(JSON.parse(process.argv[2]) as LinkOpenerConfig);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
