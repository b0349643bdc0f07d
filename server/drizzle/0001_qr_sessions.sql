ALTER TABLE `sessions` ADD `scope_meeting_id` integer REFERENCES meetings(id) ON DELETE cascade;--> statement-breakpoint
ALTER TABLE `sessions` ADD `qr_jti` text;--> statement-breakpoint
CREATE INDEX `sessions_qr_ix` ON `sessions` (`qr_jti`);