-- Demo data for local runs (idempotent; re-running it restores the demo as written here): two shared
-- tools on the offline `demo` model: a prompt chain, and an agent step that calls the offline demo MCP
-- servers (.dev.vars.example: DEMO_MCP_SERVERS, MCP_SERVERS).
INSERT INTO tools (id, owner_id, name, description, visibility, on_prompt_error)
VALUES ('00000000-0000-4000-8000-000000000001', 'demo-user', 'Demo lesson planner',
        'Runs offline on the built-in demo model: outline, then two parallel drafts, then a summary.', 'shared', 'stop')
ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, visibility = excluded.visibility;

INSERT INTO tool_input_fields (id, tool_id, name, label, type, required, options, position) VALUES
  ('00000000-0000-4000-8000-000000000011', '00000000-0000-4000-8000-000000000001', 'topic', 'Topic', 'text', 1, NULL, 0),
  ('00000000-0000-4000-8000-000000000012', '00000000-0000-4000-8000-000000000001', 'grade', 'Grade', 'select', 1, '["K","1","2","3","4","5"]', 1)
ON CONFLICT (id) DO UPDATE SET label = excluded.label, required = excluded.required, options = excluded.options;

INSERT INTO chain_prompts (id, tool_id, name, position, ordinal, model, system_context, content, temperature, max_tokens) VALUES
  ('00000000-0000-4000-8000-000000000021', '00000000-0000-4000-8000-000000000001', 'outline', 0, 1, 'demo',
   'You are a curriculum designer.', 'Outline a short lesson on {{topic}} for a grade {{grade}} class.', NULL, NULL),
  ('00000000-0000-4000-8000-000000000022', '00000000-0000-4000-8000-000000000001', 'activity', 1, 2, 'demo',
   NULL, 'Suggest a class activity for this outline: {{outline}}', NULL, NULL),
  ('00000000-0000-4000-8000-000000000023', '00000000-0000-4000-8000-000000000001', 'homework', 1, 3, 'demo',
   NULL, 'Suggest homework for this outline: {{result_1}}', NULL, NULL),
  ('00000000-0000-4000-8000-000000000024', '00000000-0000-4000-8000-000000000001', 'summary', 2, 4, 'demo',
   NULL, 'Summarise for parents. Activity: {{activity}} Homework: {{homework}}', NULL, NULL)
ON CONFLICT (id) DO UPDATE SET content = excluded.content, system_context = excluded.system_context, model = excluded.model;

-- An agent step (SPEC §12): the demo model calls each tool it is given once, its arguments taken from the
-- prompt's first words (src/models/demo-tools.ts), so the grade and the topic come first. lesson.find_standard
-- is read-only and runs at once; classroom.post_announcement waits for the runner's approval.
INSERT INTO tools (id, owner_id, name, description, visibility, on_prompt_error)
VALUES ('00000000-0000-4000-8000-000000000002', 'demo-user', 'Demo lesson announcer',
        'An agent step, offline: looks up the curriculum standard, then asks your approval to post a class announcement.',
        'shared', 'stop')
ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, visibility = excluded.visibility;

INSERT INTO tool_input_fields (id, tool_id, name, label, type, required, options, position) VALUES
  ('00000000-0000-4000-8000-000000000031', '00000000-0000-4000-8000-000000000002', 'topic', 'Topic', 'text', 1, NULL, 0),
  ('00000000-0000-4000-8000-000000000032', '00000000-0000-4000-8000-000000000002', 'grade', 'Grade', 'select', 1, '["K","1","2","3","4","5"]', 1)
ON CONFLICT (id) DO UPDATE SET label = excluded.label, required = excluded.required, options = excluded.options;

INSERT INTO chain_prompts (id, tool_id, name, position, ordinal, model, system_context, content, temperature, max_tokens, tools, max_steps) VALUES
  ('00000000-0000-4000-8000-000000000041', '00000000-0000-4000-8000-000000000002', 'announce', 0, 1, 'demo',
   NULL, 'Grade {{grade}}, {{topic}}: find the curriculum standard for this lesson, then post an announcement to the class about it.',
   NULL, NULL, '["lesson.find_standard","classroom.post_announcement"]', 4)
ON CONFLICT (id) DO UPDATE SET content = excluded.content, system_context = excluded.system_context, model = excluded.model,
  tools = excluded.tools, max_steps = excluded.max_steps;
