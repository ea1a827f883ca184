"use client";

import { useActionState } from "react";
import { endOtherSessionsAction } from "@/lib/auth/session-actions";

// Texts come from the server page (only the shared states go to the client's message bundle).
export function EndOtherSessionsForm({ label, failedText }: { label: string; failedText: string }) {
  const [state, action, pending] = useActionState(endOtherSessionsAction, { status: "idle" });
  return (
    <form action={action}>
      <button type="submit" className="button button--danger" disabled={pending} aria-busy={pending}>
        {label}
      </button>
      <p role="status" aria-live="polite">
        {state.status === "error" ? failedText : null}
      </p>
    </form>
  );
}
