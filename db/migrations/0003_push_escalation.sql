ALTER TABLE "clinics" ADD COLUMN "push_first" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "clinics" ADD COLUMN "push_escalation_minutes" integer DEFAULT 120 NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "fallback_for" uuid;