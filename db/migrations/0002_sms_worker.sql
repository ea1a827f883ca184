ALTER TABLE "messages" ADD COLUMN "to_enc" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "body_enc" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "lease_expires_at" timestamp with time zone;