// The reminder story: the patient's phone shows the reminder that the in-app worker sent for a
// seeded visit; tapping its link leads through BankID login to that very appointment.
import type { Request } from "@playwright/test";
import { latestPendingOrder, simulator, testPatients } from "./bankid";
import { expect, expectAccessible, test } from "./fixtures";

const port = Number(process.env.E2E_PORT ?? 3200);
const appOrigin = `http://localhost:${port}`;
const smsSim = `http://127.0.0.1:${port + 2}`;
const TOLVAN_PHONE = "+46701740605";

interface SimMessage {
  message: string;
  idempotencyKey: string | null;
  duplicates: number;
}

async function tolvansReminders(): Promise<SimMessage[]> {
  const res = await fetch(`${smsSim}/__simulator/messages?to=${encodeURIComponent(TOLVAN_PHONE)}`);
  const { messages } = (await res.json()) as { messages: SimMessage[] };
  return messages.filter((m) => m.idempotencyKey?.startsWith("reminder:"));
}

test.describe("SMS reminders", () => {
  test("tap the link in the reminder on the phone, log in, land on the appointment", async ({ context }) => {
    // The demo seed queues reminders; the worker inside the app sends the due ones after start.
    await expect.poll(async () => (await tolvansReminders()).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const [reminder] = await tolvansReminders();
    expect(reminder!.duplicates).toBe(0);
    // The only reminder due at once is for Tolvan's visit a few hours away, inside the 24 h cutoff:
    // it must not offer a cancel or rebook the patient can no longer make, and says to call.
    expect(reminder!.message).toMatch(
      /^Påminnelse: du har en tid .+ kl \d\d:\d\d hos Vårdcentralen Centrum\. Ring mottagningen för att ändra: http:\/\/localhost:\d+\/l\/[A-Za-z0-9_-]{32}$/,
    );
    expect(reminder!.message).not.toMatch(/omboka|avboka/);
    expect(reminder!.message).not.toMatch(/191212|Tolvan|Sjuksköterska|\+4670/);
    const visitTime = /kl (\d\d:\d\d) hos/.exec(reminder!.message)![1]!;

    // The simulator's inbox plays the phone (a second page: it is another origin).
    const phone = await context.newPage();
    await phone.goto(`${smsSim}/inbox/${encodeURIComponent(TOLVAN_PHONE)}`);
    const link = phone.getByRole("link", { name: /\/l\// }).first();
    await expect(link).toBeVisible();

    const foreign: string[] = [];
    phone.on("request", (request: Request) => {
      if (request.isNavigationRequest() || request.url().startsWith("data:")) return;
      if (request.frame().url().startsWith(appOrigin) && new URL(request.url()).origin !== appOrigin)
        foreign.push(request.url());
    });
    await link.tap();
    // Not logged in: the link leads to login, which will come back to the link.
    await phone.waitForURL(
      (url) => url.pathname === "/login" && (url.searchParams.get("returnTo") ?? "").startsWith("/l/"),
    );
    await expect(phone.getByText(/Du har öppnat en länk från ett sms/)).toBeVisible();
    await phone.getByLabel("BankID på annan enhet").check();
    await phone.getByRole("button", { name: "Logga in", exact: true }).click();
    await expect(phone.getByRole("img", { name: /QR-kod/ })).toBeVisible();
    const order = await latestPendingOrder();
    expect(
      (
        await simulator(`/__simulator/orders/${order.orderRef}/scan`, {
          personalNumber: testPatients.tolvan.personalNumber,
        })
      ).ok,
    ).toBe(true);
    expect((await simulator(`/__simulator/orders/${order.orderRef}/approve`, testPatients.tolvan)).ok).toBe(true);

    await phone.waitForURL(/\/besok\/[0-9a-f-]{36}$/, { timeout: 20_000 });
    await expect(phone.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(phone.getByText("Vårdcentralen Centrum")).toBeVisible();
    await expect(phone.locator("time")).toContainText(visitTime);
    // The page the link opens gives the number to call.
    await expect(phone.getByRole("link", { name: /Ring/ }).first()).toBeVisible();
    expect(phone.url()).not.toContain("/l/");
    await expectAccessible(phone);

    // The patient's own list shows the reminder and its delivery report.
    await phone.getByRole("link", { name: "Inställningar" }).click();
    await expect(phone.getByRole("heading", { level: 1, name: "Påminnelser och inställningar" })).toBeVisible();
    // Planned reminders are listed; choosing "7 dagar före" for visits nearer than that sends
    // nothing now, and the page says that time has passed.
    const planned = phone.getByRole("region", { name: "Planerade påminnelser" });
    await expect(planned).toBeVisible();
    const before = (await tolvansReminders()).length;
    await phone.getByLabel("7 dagar före").check(); // saved at once, no Save button
    await expect(planned.getByText(/7 dagar före: skickas inte för det här besöket/).first()).toBeVisible();
    await expectAccessible(phone);
    // Removing the number is asked twice; going back keeps it.
    await phone.getByRole("button", { name: "Ta bort nummer" }).click();
    await expect(phone.getByText(/Vill du ta bort ditt mobilnummer\?/)).toBeFocused();
    await phone.getByRole("button", { name: "Avbryt, behåll numret" }).click();
    await expect(phone.getByText(/Bekräftat nummer: 070-\*\*\* \*\* 05/)).toBeVisible();
    await phone.waitForTimeout(2_000); // a few worker polls
    expect((await tolvansReminders()).length).toBe(before);
    await phone.getByRole("link", { name: "Se skickade meddelanden" }).click();
    await expect(phone.getByRole("heading", { level: 1, name: "Skickade meddelanden" })).toBeVisible();
    await expect(phone.getByText("Levererat").first()).toBeVisible();
    await expect(phone.getByText(reminder!.message)).toBeVisible();
    await expectAccessible(phone);
    expect(foreign, "requests from app pages to other origins").toEqual([]);
  });

  test("an unknown or expired link gets a friendly page with a login button", async ({ page }) => {
    const response = await page.goto("/l/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: "Länken gäller inte längre" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Logga in med BankID" })).toBeVisible();
    await expectAccessible(page);
  });
});
