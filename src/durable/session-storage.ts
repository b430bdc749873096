// What the execution's object keeps in its own storage besides the event log: the plan (written
// once) and the run's state (rewritten after every decision). A state stored by an earlier version
// of the service is read into today's shape.
import type { ExecutionPlan } from "../engine/plan";
import { PENDING_PROMPT, type PromptState, type RunState } from "../engine/run-state";
import { canceledByUser } from "../engine/stop-reasons";

/** The object's storage as the run uses it (a seam: the benchmark counts writes through it). */
export interface SessionStorage {
  sql: SqlStorage;
  kv: SyncKvStorage;
}

const PLAN = "plan";
const STATE = "state";
/** The one key an erased run leaves: no content, only that it was deleted. */
const ERASED = "erased";

/** Fields of the state an earlier version of the service did not store yet. */
type Added =
  | "maxAttempts"
  | "pendingUntil"
  | "stopping"
  | "failure"
  | "terminal"
  | "terminalStored"
  | "repairAt"
  | "approvalTimeoutMs"
  | "waitingSince"
  | "accountWaiting";

/** A state as an earlier version stored it: fields it did not have yet are absent. */
type StoredState = Omit<RunState, "plan" | "prompts" | Added> &
  Partial<Pick<RunState, Added>> & {
    prompts: Record<string, Partial<PromptState>>;
    /** Before the run was a persisted machine: a cancel asked for, and the terminal event's id. */
    cancelRequested?: boolean;
    terminalEventId?: number | null;
  };

/** The stored run, if this object has one. */
export function loadState(kv: SyncKvStorage): RunState | undefined {
  const saved = kv.get<StoredState>(STATE);
  const plan = kv.get<ExecutionPlan>(PLAN);
  if (!saved || !plan) return undefined;
  const { cancelRequested, terminalEventId, ...rest } = saved;
  return {
    maxAttempts: 3,
    pendingUntil: null,
    failure: null,
    repairAt: null,
    approvalTimeoutMs: 86_400_000,
    waitingSince: null,
    accountWaiting: false,
    ...rest,
    plan,
    stopping: saved.stopping ?? (cancelRequested ? canceledByUser() : null),
    terminal: saved.terminal ?? null,
    terminalStored: saved.terminalStored ?? (terminalEventId !== undefined && terminalEventId !== null),
    prompts: Object.fromEntries(
      Object.entries(saved.prompts).map(([id, prompt]) => [id, { ...PENDING_PROMPT, ...prompt }]),
    ),
  };
}

/** The plan (every prompt's content) is written once, at the start. */
export const savePlan = (kv: SyncKvStorage, plan: ExecutionPlan): void => kv.put(PLAN, plan);

/** The state, rewritten at every change; the plan stays where `savePlan` put it. */
export function saveState(kv: SyncKvStorage, state: RunState): void {
  const { plan: _plan, ...rest } = state;
  kv.put(STATE, rest);
}

/** The run was deleted: its object answers as if it never held it, and never holds it again. */
export const isErased = (kv: SyncKvStorage): boolean => kv.get<boolean>(ERASED) === true;

export const markErased = (kv: SyncKvStorage): void => kv.put(ERASED, true);
