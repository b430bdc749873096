// What the Node side of the records benchmarks asks the bench Worker's records routes
// (bench/worker/records-bench.ts, whose shapes these mirror): state, seeding, a user's deletion.

/** What D1 and R2 hold of the records: all of them, or one owner's. */
export interface RecordsState {
  executions: number;
  /** Executions whose record is complete (their contents in R2, `in_r2` set). */
  withKey: number;
  promptResults: number;
  r2Objects: number;
  r2Bytes: number;
  /** With an owner: whether their account still has deletion work. */
  deletionPending: boolean | null;
}

export interface SeedRequest {
  ownerId: string;
  count: number;
  firstCreatedAt: number;
  ranMs: number;
  outputChars: number;
}

export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export const recordsState = (baseUrl: string, owner?: string) =>
  fetchJson<RecordsState>(
    `${baseUrl}/bench/records/state${owner === undefined ? "" : `?owner=${encodeURIComponent(owner)}`}`,
  );

export const deletionPending = async (baseUrl: string, owner: string) =>
  (await fetchJson<{ pending: boolean }>(`${baseUrl}/bench/records/pending?owner=${encodeURIComponent(owner)}`))
    .pending;

export const seedRecords = (baseUrl: string, request: SeedRequest) =>
  fetchJson<{ seeded: number }>(`${baseUrl}/bench/records/seed`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
  });
