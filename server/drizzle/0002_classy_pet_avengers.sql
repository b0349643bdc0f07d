ALTER TABLE `audit_log` ADD `seq` integer;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `audit_log_seq_ux` ON `audit_log` (`seq`);--> statement-breakpoint
CREATE INDEX `audit_log_action_ix` ON `audit_log` (`action`);--> statement-breakpoint
CREATE INDEX `audit_log_actor_ix` ON `audit_log` (`actor_user_id`);