// /l/<token>: the link in an SMS. A valid token leads to the appointment, through login when
// needed (login comes back here, and this page resolves the token again). The appointment page
// checks ownership as always; a link opened by someone else's session says only that it is for
// someone else (lib/links/destination.ts), never a redirect naming the other patient's ids.
// An unknown or expired token gets a calm page with a login button, never an error.
import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { LinkForSomeoneElse } from "@/components/link-for-someone-else";
import { resolveLink } from "@/lib/links/dal";

export const dynamic = "force-dynamic";

export async function generateMetadata() {
  const t = await getTranslations("notifications.link");
  // The token stays out of the title (and so out of history titles and bookmarks).
  return { title: t("invalidTitle"), robots: { index: false, follow: false } };
}

export default async function DeepLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const destination = await resolveLink(token);
  if (destination.kind === "go") redirect(destination.path);
  if (destination.kind === "login") redirect(`/login?returnTo=${encodeURIComponent(`/l/${token}`)}`);
  if (destination.kind === "someone_else") return <LinkForSomeoneElse />;
  const t = await getTranslations("notifications.link");
  return (
    <section className="state narrow" aria-labelledby="link-title">
      <h1 id="link-title">{t("invalidTitle")}</h1>
      <p>{t("invalidText")}</p>
      <Link href="/login?returnTo=%2Fbesok" className="button">
        {t("login")}
      </Link>
    </section>
  );
}
