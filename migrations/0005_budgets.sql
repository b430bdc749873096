ALTER TABLE `prompt_results` ADD `estimated_cost_micros` integer;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `tool_budget_micros` integer;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `budget_micros` integer;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `reserved_micros` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tools` ADD `budget_micros` integer;