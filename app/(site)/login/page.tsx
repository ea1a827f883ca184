import { ForgetOfflineCopy } from "@/components/offline-copy";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { BankIdLogin } from "@/components/bankid-login";
import { QueryProvider } from "@/components/query-provider";
import { currentSession } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { safeReturnTo } from "@/lib/auth/return-to";
import { env } from "@/lib/env";
import { AGE_LIMIT, RFA_KEYS } from "@/lib/eid/rfa";

export async function generateMetadata() {
  const t = await getTranslations("login");
  return { title: t("title") };
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const returnTo = safeReturnTo(params.returnTo);
  // `igen`: a step-up (deleting the account needs a login from the last minutes), so a patient who
  // is logged in still logs in again here, and comes back to `returnTo`.
  const stepUp = Boolean(params.igen);
  if (!stepUp && (await currentSession())) redirect(returnTo);
  const t = await getTranslations("login");
  const tr = await getTranslations("rfa");
  const meta = await requestMeta();
  const e = env();
  const text = {
    methodLabel: t("methodLabel"),
    otherDevice: t("otherDevice"),
    sameDevice: t("sameDevice"),
    start: t("start"),
    openApp: t("openApp"),
    qrAlt: t("qrAlt"),
    qrHelp: t("qrHelp"),
    cancel: t("cancel"),
    retry: t("retry"),
    starting: t("starting"),
    completing: t("completing"),
    rateLimited: t("rateLimited"),
    rfa: {
      ...Object.fromEntries(RFA_KEYS.map((k) => [k, tr(k)])),
      [AGE_LIMIT]: t("ageLimit", { age: e.PATIENT_SELF_SERVICE_AGE }),
    },
  };
  return (
    <section className="hero narrow" aria-labelledby="login-title">
      <h1 id="login-title">{t("title")}</h1>
      {params.utloggad ? (
        <p className="notice notice--success" role="status">
          {t("loggedOut")}
        </p>
      ) : null}
      {params.utloggad ? <ForgetOfflineCopy /> : null}
      {params.avslutad ? <p className="notice">{t("sessionEnded")}</p> : null}
      {params.raderat ? (
        <div className="notice notice--success" role="status">
          <p>{t("accountDeleted")}</p>
          <p>{t("accountDeletedStays")}</p>
        </div>
      ) : null}
      {stepUp ? <p className="notice">{t("stepUp")}</p> : null}
      {returnTo.startsWith("/l/") ? <p className="notice">{t("fromLink")}</p> : null}
      <p>{t("intro")}</p>
      <QueryProvider>
        <BankIdLogin text={text} defaultMethod={meta.isMobile ? "autostart" : "qr"} returnTo={returnTo} />
      </QueryProvider>
      {!e.isProduction ? (
        <aside className="notice demo-note" aria-labelledby="demo-title">
          <h2 id="demo-title">{t("demoTitle")}</h2>
          <p>{t("demoText")}</p>
          <a href={`http://127.0.0.1:${e.BANKID_SIM_PORT}/`} target="_blank" rel="noopener noreferrer">
            {t("demoLink")}
          </a>
        </aside>
      ) : null}
    </section>
  );
}
