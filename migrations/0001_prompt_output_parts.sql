CREATE TABLE `prompt_output_parts` (
	`execution_id` text NOT NULL,
	`prompt_id` text NOT NULL,
	`part` integer NOT NULL,
	`text` text NOT NULL,
	PRIMARY KEY(`execution_id`, `prompt_id`, `part`),
	FOREIGN KEY (`execution_id`) REFERENCES `tool_executions`(`id`) ON UPDATE no action ON DELETE cascade
);
