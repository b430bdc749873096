-- Issue #25: under 3 KB of D1 per 3-prompt execution. Inputs, input fields and request hashes of runs
-- that end from now on live in their R2 record blob (these columns keep an older row's); the list's
-- output preview is its last prompt's (no copy on the execution); prompt_results is keyed by
-- (execution_id, prompt_id) WITHOUT ROWID (no random id, no separate unique index, no ordinal index:
-- its 3 to 20 rows an execution are read by the key's prefix); record_key becomes a flag (the key is
-- recordKey(owner_id, id), as the deletions already derive it).
-- No PRAGMA foreign_keys: D1 keeps them on. Dropping prompt_results cascades to nothing (no table
-- references it); its copy references tool_executions as before.
CREATE TABLE `__new_prompt_results` (
	`execution_id` text NOT NULL,
	`prompt_id` text NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	`ordinal` integer NOT NULL,
	`model` text NOT NULL,
	`system_context` text,
	`content` text,
	`temperature` real,
	`max_tokens` integer,
	`tools` text,
	`max_steps` integer,
	`status` text DEFAULT 'pending' NOT NULL,
	`output` text DEFAULT '' NOT NULL,
	`output_preview` text,
	`error` text,
	`started_at` integer,
	`completed_at` integer,
	`duration_ms` integer,
	`input_tokens` integer,
	`output_tokens` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer,
	`estimated_cost_micros` integer,
	`overshoot_micros` integer,
	`request_hash` text,
	`reused` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`execution_id`, `prompt_id`),
	FOREIGN KEY (`execution_id`) REFERENCES `tool_executions`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_prompt_results`("execution_id", "prompt_id", "name", "position", "ordinal", "model", "system_context", "content", "temperature", "max_tokens", "tools", "max_steps", "status", "output", "output_preview", "error", "started_at", "completed_at", "duration_ms", "input_tokens", "output_tokens", "attempts", "cost_micros", "estimated_cost_micros", "overshoot_micros", "request_hash", "reused") SELECT "execution_id", "prompt_id", "name", "position", "ordinal", "model", "system_context", "content", "temperature", "max_tokens", "tools", "max_steps", "status", "output", "output_preview", "error", "started_at", "completed_at", "duration_ms", "input_tokens", "output_tokens", "attempts", "cost_micros", "estimated_cost_micros", "overshoot_micros", "request_hash", "reused" FROM `prompt_results`;--> statement-breakpoint
DROP TABLE `prompt_results`;--> statement-breakpoint
ALTER TABLE `__new_prompt_results` RENAME TO `prompt_results`;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `in_r2` integer DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE `tool_executions` SET `in_r2` = 1 WHERE `record_key` IS NOT NULL;--> statement-breakpoint
ALTER TABLE `tool_executions` DROP COLUMN `record_key`;--> statement-breakpoint
ALTER TABLE `tool_executions` DROP COLUMN `output_preview`;
