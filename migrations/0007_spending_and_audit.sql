CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`,`id`);--> statement-breakpoint
CREATE TABLE `spending_entries` (
	`execution_id` text NOT NULL,
	`model` text NOT NULL,
	`owner_id` text NOT NULL,
	`day` integer NOT NULL,
	`tool_id` text NOT NULL,
	`tool_name` text NOT NULL,
	`status` text NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`execution_id`, `model`)
);
--> statement-breakpoint
CREATE INDEX `spending_entries_owner_day_idx` ON `spending_entries` (`owner_id`,`day`);--> statement-breakpoint
CREATE INDEX `spending_entries_day_idx` ON `spending_entries` (`day`);