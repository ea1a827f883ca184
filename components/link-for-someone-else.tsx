import { getTranslations } from "next-intl/server";

// Shown by /l/<token> when the link is valid but belongs to another patient than the one logged in
// (e.g. a parent's phone holds the child's SMS, or two people share a device). It reveals nothing
// about that patient, not even that a visit exists beyond "this link is not yours": no ids, no
// redirect to their pages. Which case applies is decided in lib/links; this is only the wording.
export async function LinkForSomeoneElse() {
  const t = await getTranslations("notifications.link");
  return (
    <section className="state narrow" aria-labelledby="link-title">
      <h1 id="link-title">{t("otherTitle")}</h1>
      <p>{t("otherText")}</p>
      <p>{t("otherHow")}</p>
      <form action="/api/logout" method="post">
        <button type="submit" className="button">
          {t("otherLogout")}
        </button>
      </form>
    </section>
  );
}
