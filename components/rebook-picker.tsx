"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { appointmentListQuery } from "@/lib/appointments/queries";
import { postRebook } from "@/lib/appointments/rebook-request";
import type { Locale } from "@/i18n/locales";
import { groupByClinic } from "@/lib/appointments/group-by-clinic";
import { capitalizeFirst, formatDay, formatTime, formatVisit, formatWeek } from "@/lib/format";

interface Slot {
  id: string;
  startsAt: string;
  clinicId: string;
  clinicName: string;
  clinicAddress: string;
  sameClinic: boolean;
}

export interface RebookText {
  filterLegend: string;
  all: string;
  morning: string;
  afternoon: string;
  previousWeek: string;
  nextWeek: string;
  noSlots: string;
  loading: string;
  error: string;
  confirmTitle: string;
  confirm: string;
  back: string;
  moving: string;
  otherClinic: string; // contains {clinic}
  ownClinic: string; // contains {clinic}
  sisterClinic: string; // contains {clinic}
  clinicChangeTitle: string;
  clinicChangeText: string; // contains {clinic}, {address} and {current}
  chooseLabel: string; // contains {time}
  weekLabel: string; // contains {week} and {dates}
  confirmText: string; // contains {from} and {to}
  errors: Record<string, string>;
}

const TZ = "Europe/Stockholm";

export function RebookPicker({
  appointmentId,
  version,
  locale,
  currentLabel,
  currentClinic,
  text,
}: {
  appointmentId: string;
  /** The visit's version when the page was shown: a change made meanwhile (another tab) is not overwritten. */
  version: number;
  locale: Locale;
  currentLabel: string;
  currentClinic: string;
  text: RebookText;
}) {
  const [week, setWeek] = useState(0);
  const [part, setPart] = useState<"all" | "morning" | "afternoon">("all");
  const [chosen, setChosen] = useState<Slot | null>(null);
  const queryClient = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!chosen || pending) return;
    setPending(true);
    const answer = await postRebook({ appointmentId, slotId: chosen.id, version });
    const visit = `/besok/${encodeURIComponent(appointmentId)}`;
    if (answer.status === "ok") {
      // Mina tider asks again when shown. The receipt says plainly when the visit moved to another
      // clinic, with the new address. `refresh` drops the router's copies of the pages shown before
      // (as a server action's revalidation did), so going back shows the visit as it is now.
      void queryClient.invalidateQueries({ queryKey: appointmentListQuery.queryKey });
      router.push(`${visit}?ombokad=1${answer.clinicChanged ? "&ny-mottagning=1" : ""}`);
      router.refresh();
      return; // still pending: the button stays disabled until the receipt is shown
    }
    if (answer.error === "unauthorized") {
      const back = encodeURIComponent(`${visit}/omboka`);
      router.replace(`/login?returnTo=${back}${answer.sessionEnded ? "&avslutad=1" : ""}`);
      return;
    }
    if (answer.error === "stale" || answer.error === "not_booked") {
      // Changed after the page was shown (another tab, the back button): the visit's own page
      // shows its current state and what happened, never "call the clinic".
      void queryClient.invalidateQueries({ queryKey: appointmentListQuery.queryKey });
      router.push(`${visit}?redan=1`);
      router.refresh();
      return;
    }
    // Someone else was faster (or another refusal): back to the list, fetched again so the taken
    // time disappears, with the reason announced.
    setError(answer.error);
    setChosen(null);
    setPending(false);
    void queryClient.invalidateQueries({ queryKey: ["free-slots", appointmentId] });
  }

  // Every date through lib/format.ts: lowercase Swedish names, weekday and year where it matters.
  const dayLabel = (iso: string) => formatDay(new Date(iso), locale, TZ);
  const timeLabel = (iso: string) => formatTime(new Date(iso), locale, TZ);

  const slots = useQuery({
    queryKey: ["free-slots", appointmentId, week, part],
    queryFn: async () => {
      const res = await fetch(`/api/appointments/${appointmentId}/slots?week=${week}&part=${part}`, {
        cache: "no-store",
      });
      if (!res.ok) throw new Error(String(res.status));
      return (await res.json()) as { from: string; slots: Slot[] };
    },
    placeholderData: keepPreviousData,
  });

  const errorMessage = error ? (text.errors[error] ?? text.errors.unexpected) : "";

  if (chosen) {
    const to = formatVisit(new Date(chosen.startsAt), locale, TZ, new Date());
    return (
      <form onSubmit={(e) => void confirm(e)} className="card stack" aria-labelledby="confirm-title">
        <h2 id="confirm-title">{text.confirmTitle}</h2>
        <p>{text.confirmText.replace("{from}", currentLabel).replace("{to}", to)}</p>
        {!chosen.sameClinic ? (
          <div className="notice" role="note">
            <h3>{text.clinicChangeTitle}</h3>
            <p>
              {text.clinicChangeText
                .replace("{clinic}", chosen.clinicName)
                .replace("{address}", chosen.clinicAddress)
                .replace("{current}", currentClinic)}
            </p>
          </div>
        ) : null}
        <p role="status" aria-live="polite" className="visually-hidden">
          {pending ? text.moving : ""}
        </p>
        <div className="actions">
          <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
            {pending ? text.moving : text.confirm}
          </button>
          <button type="button" className="button button--secondary" onClick={() => setChosen(null)} disabled={pending}>
            {text.back}
          </button>
        </div>
      </form>
    );
  }

  // The week's times grouped by clinic, the patient's own first, each clinic's by day.
  const clinicsOfWeek = groupByClinic(slots.data?.slots ?? []).map((group) => {
    const byDay = new Map<string, Slot[]>();
    for (const s of group.slots) {
      const key = dayLabel(s.startsAt);
      byDay.set(key, [...(byDay.get(key) ?? []), s]);
    }
    return { ...group, byDay };
  });
  const shownWeek = slots.data ? formatWeek(new Date(slots.data.from), locale, TZ) : null;
  const weekLabel = shownWeek
    ? text.weekLabel.replace("{week}", String(shownWeek.week)).replace("{dates}", shownWeek.dates)
    : "";

  return (
    <div className="stack">
      <p role="alert" className={errorMessage ? "notice notice--error" : "visually-hidden"}>
        {errorMessage}
      </p>
      <fieldset className="segmented segmented--row">
        <legend>{text.filterLegend}</legend>
        {(["all", "morning", "afternoon"] as const).map((p) => (
          <label key={p}>
            <input type="radio" name="part" value={p} checked={part === p} onChange={() => setPart(p)} />
            <span>{text[p]}</span>
          </label>
        ))}
      </fieldset>
      <nav className="week-nav" aria-label={weekLabel || undefined}>
        <button
          type="button"
          className="button button--secondary"
          onClick={() => setWeek((w) => Math.max(0, w - 1))}
          disabled={week === 0}
        >
          <span className="arrow" aria-hidden="true">
            ←
          </span>{" "}
          {text.previousWeek}
        </button>
        <strong aria-live="polite">{weekLabel}</strong>
        <button type="button" className="button button--secondary" onClick={() => setWeek((w) => Math.min(26, w + 1))}>
          {text.nextWeek}{" "}
          <span className="arrow" aria-hidden="true">
            →
          </span>
        </button>
      </nav>
      <div aria-busy={slots.isFetching} aria-live="polite">
        {slots.isPending ? (
          <p role="status">{text.loading}</p>
        ) : slots.isError ? (
          <p className="notice notice--error">{text.error}</p>
        ) : clinicsOfWeek.length === 0 ? (
          <p className="card">{text.noSlots}</p>
        ) : (
          clinicsOfWeek.map((group) => (
            <section key={group.clinicId} className="clinic-slots" aria-labelledby={`clinic-${group.clinicId}`}>
              <h3 id={`clinic-${group.clinicId}`}>
                {(group.own ? text.ownClinic : text.sisterClinic).replace("{clinic}", group.name)}
              </h3>
              <p className="muted">{group.address}</p>
              {[...group.byDay.entries()].map(([day, list]) => (
                <div key={day} className="day">
                  <h4>{capitalizeFirst(day)}</h4>
                  <ul className="slot-list">
                    {list.map((s) => {
                      const time = timeLabel(s.startsAt);
                      return (
                        <li key={s.id}>
                          <button
                            type="button"
                            className="slot"
                            onClick={() => setChosen(s)}
                            aria-label={`${text.chooseLabel.replace("{time}", `${day} ${time}`)}${s.sameClinic ? "" : `, ${text.otherClinic.replace("{clinic}", s.clinicName)}`}`}
                          >
                            {time}
                          </button>
                        </li>
                      );
                    })}
                  </ul>
                </div>
              ))}
            </section>
          ))
        )}
      </div>
    </div>
  );
}
