// Drives the BankID simulator's control API as the patient's phone would, for e2e tests.
import { expect, type Page } from "@playwright/test";

const simBase = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3200) + 1}`;

interface SimOrder {
  orderRef: string;
  status: string;
  hintCode: string | null;
  created: string;
}

export async function simulator(path: string, body?: unknown): Promise<Response> {
  return fetch(
    `${simBase}${path}`,
    body === undefined
      ? undefined
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
  );
}

/** The newest pending order (the one the page just started). */
export async function latestPendingOrder(): Promise<SimOrder> {
  let found: SimOrder | undefined;
  await expect
    .poll(async () => {
      const { orders } = (await (await simulator("/__simulator/orders")).json()) as { orders: SimOrder[] };
      found = orders
        .filter((o) => o.status === "pending")
        .sort((a, b) => a.created.localeCompare(b.created))
        .at(-1);
      return Boolean(found);
    })
    .toBe(true);
  return found!;
}

export const testPatients = {
  tolvan: { personalNumber: "191212121212", givenName: "Tolvan", surname: "Tolvansson" },
  elsa: { personalNumber: "198112289874", givenName: "Elsa", surname: "Provsson" },
  karl: { personalNumber: "197802022389", givenName: "Karl", surname: "Testman" },
  maja: { personalNumber: "195001182046", givenName: "Maja", surname: "Exempelsson" },
  sven: { personalNumber: "194107086995", givenName: "Sven", surname: "Demosson" },
  leila: { personalNumber: "199703142399", givenName: "Leila", surname: "Provdotter" },
  nils: { personalNumber: "198805232397", givenName: "Nils", surname: "Testsson" },
} as const;

/** The login page's words the helper clicks, in the page's language (Swedish unless told). */
export interface LoginLabels {
  otherDevice: string;
  start: string;
  qrCode: RegExp;
}
const swedishLabels: LoginLabels = { otherDevice: "BankID på annan enhet", start: "Logga in", qrCode: /QR-kod/ };

/** Logs in through the real login page with the QR flow; the simulator plays the phone. */
export async function loginWithBankId(
  page: Page,
  who: keyof typeof testPatients = "tolvan",
  startPath = "/login",
  labels: LoginLabels = swedishLabels,
): Promise<void> {
  await page.goto(startPath);
  if (!page.url().includes("/login")) await page.waitForURL(/\/login/);
  await page.getByLabel(labels.otherDevice).check();
  await page.getByRole("button", { name: labels.start, exact: true }).click();
  await expect(page.getByRole("img", { name: labels.qrCode })).toBeVisible();
  const order = await latestPendingOrder();
  expect(
    (
      await simulator(`/__simulator/orders/${order.orderRef}/scan`, {
        personalNumber: testPatients[who].personalNumber,
      })
    ).ok,
  ).toBe(true);
  expect((await simulator(`/__simulator/orders/${order.orderRef}/approve`, testPatients[who])).ok).toBe(true);
  await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 20_000 });
}
