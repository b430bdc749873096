CREATE TABLE `chain_prompts` (
	`id` text PRIMARY KEY NOT NULL,
	`tool_id` text NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	`ordinal` integer NOT NULL,
	`model` text NOT NULL,
	`system_context` text,
	`content` text NOT NULL,
	`temperature` real,
	`max_tokens` integer,
	FOREIGN KEY (`tool_id`) REFERENCES `tools`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chain_prompts_tool_name_idx` ON `chain_prompts` (`tool_id`,`name`);--> statement-breakpoint
CREATE INDEX `chain_prompts_tool_ordinal_idx` ON `chain_prompts` (`tool_id`,`ordinal`);--> statement-breakpoint
CREATE TABLE `prompt_results` (
	`id` text PRIMARY KEY NOT NULL,
	`execution_id` text NOT NULL,
	`prompt_id` text NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	`ordinal` integer NOT NULL,
	`model` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`output` text DEFAULT '' NOT NULL,
	`error` text,
	`started_at` integer,
	`completed_at` integer,
	`duration_ms` integer,
	`input_tokens` integer,
	`output_tokens` integer,
	FOREIGN KEY (`execution_id`) REFERENCES `tool_executions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `prompt_results_execution_prompt_idx` ON `prompt_results` (`execution_id`,`prompt_id`);--> statement-breakpoint
CREATE INDEX `prompt_results_execution_ordinal_idx` ON `prompt_results` (`execution_id`,`ordinal`);--> statement-breakpoint
CREATE TABLE `tool_executions` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`tool_id` text NOT NULL,
	`tool_name` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`inputs` text NOT NULL,
	`error` text,
	`idempotency_key` text,
	`durable_object_id` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`started_at` integer,
	`completed_at` integer
);
--> statement-breakpoint
CREATE INDEX `tool_executions_owner_created_idx` ON `tool_executions` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `tool_executions_owner_status_idx` ON `tool_executions` (`owner_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `tool_executions_owner_idempotency_idx` ON `tool_executions` (`owner_id`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `tool_input_fields` (
	`id` text PRIMARY KEY NOT NULL,
	`tool_id` text NOT NULL,
	`name` text NOT NULL,
	`label` text NOT NULL,
	`type` text NOT NULL,
	`required` integer DEFAULT false NOT NULL,
	`options` text,
	`position` integer NOT NULL,
	FOREIGN KEY (`tool_id`) REFERENCES `tools`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tool_input_fields_tool_name_idx` ON `tool_input_fields` (`tool_id`,`name`);--> statement-breakpoint
CREATE TABLE `tools` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`visibility` text DEFAULT 'private' NOT NULL,
	`on_prompt_error` text DEFAULT 'stop' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tools_owner_created_idx` ON `tools` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `tools_visibility_created_idx` ON `tools` (`visibility`,`created_at`);