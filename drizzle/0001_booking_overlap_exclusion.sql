-- No two active single bookings of one venue may overlap. Half-open ranges '[)' let one booking
-- end exactly when the next begins. drizzle-kit cannot express EXCLUDE, hence this custom file.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlap"
  EXCLUDE USING gist (
    "venue_id" WITH =,
    tstzrange("start_datetime", "end_datetime", '[)') WITH &&
  ) WHERE ("kind" = 'single' AND "status" IN ('pending', 'confirmed'));
