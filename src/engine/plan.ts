// What a Durable Object needs to run one execution, loaded once when the execution is created: the
// prompts as they run, and the record's header (the object is the run's source of truth, and writes
// the execution's row in D1 from it).
import type { FieldSnapshot } from "../db/schema";

export interface PlannedPrompt {
  id: string;
  name: string;
  position: number;
  /** 1-based run order: what `{{result_N}}` names. */
  ordinal: number;
  model: string;
  systemContext: string | null;
  content: string;
  temperature: number | null;
  maxTokens: number | null;
  /** An agent step's tool references (SPEC §12); absent or empty: an ordinary prompt. */
  tools?: string[];
  /** An agent step's cap on model turns. */
  maxSteps?: number;
}

export interface ExecutionPlan {
  executionId: string;
  ownerId: string;
  /** Null for a draft run (an unsaved tool). */
  toolId: string | null;
  toolName: string;
  onPromptError: "stop" | "continue";
  /** Prompts in run order. */
  prompts: PlannedPrompt[];
  /** Each input field's substitution text. */
  values: Record<string, string>;
  /** A rerun's lineage (null for a first run). */
  sourceExecutionId: string | null;
  fromPromptId: string | null;
  /**
   * Prompts a rerun may take from its source instead of asking the model, with the hash of the
   * request the source sent: reused when the request they would send now hashes the same.
   */
  reusable: Record<string, string>;
  /** Micro-dollars the run may spend (null: no budget; the owner's daily budget applies apart). */
  budgetMicros: number | null;
  /**
   * The record's header. Optional: a run started by an earlier version of the service had its row
   * written by the Worker at create, so its object never writes one.
   */
  header?: ExecutionHeader;
}

/** What an execution's record says beside its prompts: who ran what, with which inputs, when. */
export interface ExecutionHeader {
  createdAt: number;
  /** The inputs as sent (the record shows them), and the fields they were checked against. */
  inputs: Record<string, unknown>;
  inputFields: FieldSnapshot[];
  /** The tool's budget as it was (a rerun is held to it). */
  toolBudgetMicros: number | null;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
}

/** Prompts grouped by position, in order: each group runs in parallel. */
export function groupByPosition(prompts: readonly PlannedPrompt[]): PlannedPrompt[][] {
  const groups: PlannedPrompt[][] = [];
  for (const prompt of prompts) {
    const last = groups.at(-1);
    if (last?.[0]?.position === prompt.position) last.push(prompt);
    else groups.push([prompt]);
  }
  return groups;
}
