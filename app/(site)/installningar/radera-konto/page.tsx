import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { DeleteAccountForm } from "@/components/delete-account-form";
import { myAccountDeletion } from "@/lib/privacy/dal";

export const dynamic = "force-dynamic";

export async function generateMetadata() {
  const t = await getTranslations("deleteAccount");
  return { title: t("title") };
}

const GOES = ["phone", "preferences", "push", "calendar", "waitlist", "sessions"] as const;
const STAYS = ["appointments", "identity", "log"] as const;
const HERE = "/installningar/radera-konto";

// Leave: what goes and what stays is said before the patient decides; the delete itself needs a
// BankID login from the last 5 minutes (step-up), otherwise the page sends them through BankID.
export default async function DeleteAccountPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { fresh, actingForChild } = await myAccountDeletion();
  const params = await searchParams;
  const t = await getTranslations("deleteAccount");
  if (actingForChild) {
    const tg = await getTranslations("guardian");
    return (
      <section aria-labelledby="delete-title" className="settings narrow">
        <h1 id="delete-title">{t("title")}</h1>
        <p className="notice">{tg("deleteNotAllowed")}</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="delete-title" className="settings narrow">
      <h1 id="delete-title">{t("title")}</h1>
      <p>{t("intro")}</p>
      <section className="card" aria-labelledby="goes-title">
        <h2 id="goes-title">{t("goesTitle")}</h2>
        <ul>
          {GOES.map((k) => (
            <li key={k}>{t(`goes.${k}`)}</li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="stays-title">
        <h2 id="stays-title">{t("staysTitle")}</h2>
        <ul>
          {STAYS.map((k) => (
            <li key={k}>{t(`stays.${k}`)}</li>
          ))}
        </ul>
        <p>{t("staysNote")}</p>
      </section>
      {fresh ? (
        <DeleteAccountForm text={{ understand: t("understand"), confirm: t("confirm"), failed: t("failed") }} />
      ) : (
        <section className="card" aria-labelledby="step-up-title">
          <h2 id="step-up-title">{t("stepUpTitle")}</h2>
          {params.igen ? (
            <p className="notice" role="status">
              {t("stepUpExpired")}
            </p>
          ) : null}
          <p>{t("stepUp")}</p>
          <Link className="button" href={`/login?returnTo=${encodeURIComponent(HERE)}&igen=1`}>
            {t("stepUpButton")}
          </Link>
        </section>
      )}
    </section>
  );
}
