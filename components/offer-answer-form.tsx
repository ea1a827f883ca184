"use client";
// "Ta den nya tiden" / "Nej tack". Without JavaScript the form posts to its server action and the
// answer is a redirect to the page that shows the outcome. With JavaScript the answer goes to
// POST /api/offer-answer (our server, JSON: no page render per answer when many patients race for
// the slot) and the page then shows the same outcome pages as the action would redirect to.
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { postOfferAnswer } from "@/lib/waitlist/offer-answer-request";

export function OfferAnswerForm({
  action,
  appointmentId,
  offerId,
  text,
}: {
  /** The no-JavaScript path: the server action the form posts to. */
  action: (formData: FormData) => Promise<void>;
  appointmentId: string;
  offerId: string;
  text: { accept: string; decline: string; answering: string; network: string };
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [networkError, setNetworkError] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    // Prevented here, React does not call the form's action: the answer goes to the JSON route.
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const answer = submitter?.value === "decline" ? "decline" : "accept";
    if (pending) return;
    setPending(true);
    setNetworkError(false);
    const result = await postOfferAnswer({ offerId, answer });
    const visit = `/besok/${encodeURIComponent(appointmentId)}`;
    const offerPage = `${visit}/erbjudande/${encodeURIComponent(offerId)}`;
    if (result.status === "error" && result.error === "network") {
      setNetworkError(true);
      setPending(false);
      return;
    }
    if (result.status === "error" && result.error === "unauthorized") {
      router.replace(`/login?returnTo=${encodeURIComponent(offerPage)}${result.sessionEnded ? "&avslutad=1" : ""}`);
      return;
    }
    // Mina tider asks for its data again whenever it is shown (staleTime 0). The same pages the server action redirects to; `refresh` drops the router's copies of pages
    // shown before (as the action's revalidation did), so going back shows them as they are now.
    if (result.status === "ok") router.push(answer === "accept" ? `${visit}?flyttad=1` : offerPage);
    else router.push(`${offerPage}?fel=${encodeURIComponent(result.error)}`);
    router.refresh();
  }

  return (
    <form action={action} onSubmit={(e) => void submit(e)} className="actions">
      <input type="hidden" name="appointmentId" value={appointmentId} />
      <input type="hidden" name="offerId" value={offerId} />
      <button type="submit" name="answer" value="accept" className="button" disabled={pending}>
        {text.accept}
      </button>
      <button type="submit" name="answer" value="decline" className="button button--secondary" disabled={pending}>
        {text.decline}
      </button>
      <p role="status" aria-live="polite" className={networkError ? "notice notice--error" : "visually-hidden"}>
        {networkError ? text.network : pending ? text.answering : ""}
      </p>
    </form>
  );
}
