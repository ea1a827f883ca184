CREATE TABLE "waitlist_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slot_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"run_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"done_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "waitlist_jobs_status_ck" CHECK ("waitlist_jobs"."status" in ('queued', 'done'))
);
--> statement-breakpoint
ALTER TABLE "slot_offers" DROP CONSTRAINT "slot_offers_status_ck";--> statement-breakpoint
ALTER TABLE "slot_offers" ADD COLUMN "appointment_starts_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "waitlist_jobs" ADD CONSTRAINT "waitlist_jobs_slot_id_slots_id_fk" FOREIGN KEY ("slot_id") REFERENCES "public"."slots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "waitlist_jobs_due_idx" ON "waitlist_jobs" USING btree ("status","run_at");--> statement-breakpoint
CREATE INDEX "slot_offers_entry_idx" ON "slot_offers" USING btree ("waitlist_entry_id","status");--> statement-breakpoint
ALTER TABLE "slot_offers" ADD CONSTRAINT "slot_offers_status_ck" CHECK ("slot_offers"."status" in ('pending', 'accepted', 'expired', 'declined', 'taken', 'withdrawn'));