CREATE TABLE `poll_hall_counts` (
	`poll_id` integer NOT NULL,
	`bridge_point_id` integer NOT NULL,
	`present` integer NOT NULL,
	`counts` text NOT NULL,
	`entered_by` integer,
	`entered_at` integer NOT NULL,
	PRIMARY KEY(`poll_id`, `bridge_point_id`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`bridge_point_id`) REFERENCES `bridge_points`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`entered_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
