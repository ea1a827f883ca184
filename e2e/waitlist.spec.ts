// The earlier-time story: Maja asks for an earlier doctor's time; Karl, booked earlier for the same
// kind of visit at the same clinic, cancels; Maja's phone gets the offer by SMS; she taps the link,
// logs in and takes the new time. Her old time is then offered on (to Sven, who waits too).
import type { Browser, Page } from "@playwright/test";
import { latestPendingOrder, simulator } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

const port = Number(process.env.E2E_PORT ?? 3200);
const smsSim = `http://127.0.0.1:${port + 2}`;

const people = {
  maja: { personalNumber: "195001182046", givenName: "Maja", surname: "Exempelsson", phone: "+46701740608" },
  karl: { personalNumber: "197802022389", givenName: "Karl", surname: "Testman", phone: "+46701740607" },
  sven: { personalNumber: "194107086995", givenName: "Sven", surname: "Demosson", phone: "+46701740609" },
} as const;
type Who = keyof typeof people;

interface SimMessage {
  message: string;
  idempotencyKey: string | null;
}

async function offerSms(who: Who): Promise<SimMessage[]> {
  const res = await fetch(`${smsSim}/__simulator/messages?to=${encodeURIComponent(people[who].phone)}`);
  const { messages } = (await res.json()) as { messages: SimMessage[] };
  return messages.filter((m) => m.idempotencyKey?.startsWith("offer:"));
}

/** The QR login, with the simulator playing the patient's phone. */
async function logIn(page: Page, who: Who): Promise<void> {
  if (!page.url().includes("/login")) await page.goto("/login");
  await page.getByLabel("BankID på annan enhet").check();
  await page.getByRole("button", { name: "Logga in", exact: true }).click();
  await expect(page.getByRole("img", { name: /QR-kod/ })).toBeVisible();
  const order = await latestPendingOrder();
  const { personalNumber, givenName, surname } = people[who];
  const identity = { personalNumber, givenName, surname };
  expect(
    (await simulator(`/__simulator/orders/${order.orderRef}/scan`, { personalNumber: identity.personalNumber })).ok,
  ).toBe(true);
  expect((await simulator(`/__simulator/orders/${order.orderRef}/approve`, identity)).ok).toBe(true);
  await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 20_000 });
}

async function openDoctorsVisit(page: Page): Promise<string> {
  const card = page
    .getByRole("region", { name: "Kommande besök" })
    .getByRole("listitem")
    .filter({ hasText: "Vårdcentralen Centrum" })
    .filter({ has: page.getByRole("link", { name: /^Läkarbesök/ }) })
    .filter({ has: page.getByText("Bokad", { exact: true }) })
    .first();
  await card.getByRole("link").click();
  await expect(page).toHaveURL(/\/besok\/[0-9a-f-]{36}$/);
  return (await page.locator("dd time").textContent()) ?? "";
}

async function askForEarlierTime(page: Page, accessible = false): Promise<void> {
  await page.getByRole("link", { name: "Jag vill ha en tidigare tid" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Jag vill ha en tidigare tid" })).toBeVisible();
  await page.getByLabel("Minst 2 timmar").check();
  if (accessible) await expectAccessible(page);
  await page.getByRole("button", { name: "Spara" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Klart. Du står i kö för en tidigare tid." })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Du står i kö för en tidigare tid" })).toBeVisible();
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    baseURL: `http://localhost:${port}`,
    locale: "sv-SE",
    timezoneId: "Europe/Stockholm",
    viewport: { width: 390, height: 844 },
  });
  return context.newPage();
}

test.describe("an earlier time", () => {
  test("ask, someone cancels, the SMS link leads to the offer, take it; the old time is offered on", async ({
    page,
    browser,
  }) => {
    // Four logins and three patients' phones: more than the default minute.
    test.setTimeout(150_000);
    // Sven waits too (his doctor's visit is later than Maja's): he will be offered Maja's old time.
    const sven = await newPage(browser);
    await logIn(sven, "sven");
    await openDoctorsVisit(sven);
    await askForEarlierTime(sven);

    await logIn(page, "maja");
    const majasOldTime = await openDoctorsVisit(page);
    await askForEarlierTime(page, true);
    await expectAccessible(page);

    // Karl cancels his earlier doctor's visit at the same clinic.
    const karl = await newPage(browser);
    await logIn(karl, "karl");
    const karlsTime = await openDoctorsVisit(karl);
    await karl.getByRole("link", { name: "Avboka" }).click();
    await karl.getByRole("button", { name: "Ja, avboka besöket" }).click();
    await expect(karl.getByRole("status").filter({ hasText: "Besöket är avbokat." })).toBeVisible();

    // Maja's phone gets the offer: time, the clinic's SMS name and an opaque link, nothing else.
    await expect.poll(async () => (await offerSms("maja")).length, { timeout: 30_000 }).toBe(1);
    const [sms] = await offerSms("maja");
    expect(sms!.message).toMatch(
      /^En tidigare tid finns: .+ kl \d\d:\d\d hos Vårdcentralen Centrum\. Svara senast .+ via länken: http:\/\/localhost:\d+\/l\/[A-Za-z0-9_-]{32}$/,
    );
    expect(sms!.message).not.toMatch(/Maja|195001|Läkar|\+4670/);
    expect(sms!.message).toContain(`kl ${/(\d\d)[:.](\d\d)/.exec(karlsTime)!.slice(1).join(":")}`);

    const phone = await newPage(browser);
    await phone.goto(`${smsSim}/inbox/${encodeURIComponent(people.maja.phone)}`);
    // The offer's own link: Maja's inbox also holds reminders for her other visits.
    await phone
      .getByRole("listitem")
      .filter({ hasText: "En tidigare tid finns" })
      .getByRole("link", { name: /\/l\// })
      .first()
      .tap();
    await phone.waitForURL(
      (url) => url.pathname === "/login" && (url.searchParams.get("returnTo") ?? "").startsWith("/l/"),
    );
    await logIn(phone, "maja");
    await phone.waitForURL(/\/besok\/[0-9a-f-]{36}\/erbjudande\/[0-9a-f-]{36}$/);
    await expect(phone.getByRole("heading", { level: 1, name: "En tidigare tid" })).toBeVisible();
    await expect(phone.getByRole("heading", { name: "Din tid nu" })).toBeVisible();
    await expect(phone.getByRole("heading", { name: "Ny tid" })).toBeVisible();
    await expectAccessible(phone);
    await phone.getByRole("button", { name: "Ta den nya tiden" }).click();
    await expect(phone.getByRole("status").filter({ hasText: /^Klart! Ditt besök är flyttat till/ })).toBeVisible();
    const newTime = await phone.locator("dd time").textContent();
    expect(newTime).toBe(karlsTime);
    expect(newTime).not.toBe(majasOldTime);
    await expect(phone.getByRole("heading", { name: "Du står i kö för en tidigare tid" })).toHaveCount(0);
    await expectAccessible(phone);

    // Maja's old time goes on to Sven (his first offer, for Karl's time, is now taken).
    await expect.poll(async () => (await offerSms("sven")).length, { timeout: 30_000 }).toBe(2);
    const oldClock = /(\d\d)[:.](\d\d)/.exec(majasOldTime)!.slice(1).join(":");
    expect((await offerSms("sven")).some((m) => m.message.includes(`kl ${oldClock} hos Vårdcentralen Centrum`))).toBe(
      true,
    );

    // Sven's first offer (Karl's time) came too late: its link says so, and he keeps his place.
    const karlsClock = /(\d\d)[:.](\d\d)/.exec(karlsTime)!.slice(1).join(":");
    const late = (await offerSms("sven")).find((m) => m.message.includes(`kl ${karlsClock} hos`))!;
    await sven.goto(new URL(/http:\/\/\S+\/l\/[A-Za-z0-9_-]+/.exec(late.message)![0]).pathname);
    await expect(sven.getByRole("heading", { name: "Tiden är tyvärr redan tagen" })).toBeVisible();
    await expect(sven.getByRole("button", { name: "Ta den nya tiden" })).toHaveCount(0);
    // Back to his appointment: still booked, still waiting, with the offer of Maja's old time.
    await sven.getByRole("link", { name: /Tillbaka till mina tider/ }).click();
    await expect(sven).toHaveURL(/\/besok\/[0-9a-f-]{36}$/);
    await expect(sven.getByRole("heading", { name: "Du står i kö för en tidigare tid" })).toBeVisible();
    await sven.getByRole("link", { name: "Visa erbjudandet" }).click();
    await expect(sven.getByRole("button", { name: "Ta den nya tiden" })).toBeVisible();

    // Without JavaScript the offer's buttons are a plain form that posts to its server action (with
    // JavaScript they call POST /api/offer-answer): Sven takes the time that way.
    const noJs = await browser.newContext({
      baseURL: `http://localhost:${port}`,
      locale: "sv-SE",
      timezoneId: "Europe/Stockholm",
      viewport: { width: 390, height: 844 },
      javaScriptEnabled: false,
      storageState: await sven.context().storageState(),
    });
    const plain = await noJs.newPage();
    await plain.goto(new URL(sven.url()).pathname);
    await plain.getByRole("button", { name: "Ta den nya tiden" }).click();
    await expect(plain).toHaveURL(/\/besok\/[0-9a-f-]{36}\?flyttad=1$/);
    await expect(plain.getByText(/^Klart! Ditt besök är flyttat till /)).toBeVisible();
    await noJs.close();
  });
});
