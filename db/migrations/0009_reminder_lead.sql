ALTER TABLE "clinics" ADD COLUMN "reminder_min_lead_minutes" integer DEFAULT 120 NOT NULL;--> statement-breakpoint
ALTER TABLE "clinics" ADD COLUMN "waking_hours_start" text DEFAULT '08:00' NOT NULL;--> statement-breakpoint
ALTER TABLE "clinics" ADD COLUMN "waking_hours_end" text DEFAULT '21:00' NOT NULL;--> statement-breakpoint
ALTER TABLE "clinics" ADD CONSTRAINT "clinics_reminder_lead_ck" CHECK ("clinics"."reminder_min_lead_minutes" between 0 and 10080);--> statement-breakpoint
ALTER TABLE "clinics" ADD CONSTRAINT "clinics_waking_hours_ck" CHECK ("clinics"."waking_hours_start" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and "clinics"."waking_hours_end" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');