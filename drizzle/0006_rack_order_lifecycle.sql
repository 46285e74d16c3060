ALTER TABLE "rack_orders" ALTER COLUMN "status" SET DEFAULT 'pending';--> statement-breakpoint
CREATE INDEX "rack_orders_status_id_idx" ON "rack_orders" USING btree ("status","id");