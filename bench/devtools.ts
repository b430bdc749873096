// A Chrome DevTools Protocol session with the Worker's isolate, through wrangler's inspector proxy
// (`wrangler dev --inspector-port`). Used for CPU profiles and for heap measurements.
import { setTimeout as sleep } from "node:timers/promises";

export interface Devtools {
  call: (method: string, params?: object) => Promise<Record<string, unknown>>;
  /** Forces a full GC and returns the heap in use afterwards (bytes). */
  collectGarbage: (pump: () => Promise<unknown>) => Promise<number>;
  close: () => void;
}

const CALL_TIMEOUT_MS = 60_000;

export async function connectDevtools(inspectorPort: number): Promise<Devtools> {
  const [target] = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  if (!target) throw new Error("no inspector target");
  // The proxy refuses WebSockets without an Origin header, which Node's WebSocket doesn't send by default.
  const Socket = WebSocket as unknown as new (url: string, init: { headers: Record<string, string> }) => WebSocket;
  const socket = new Socket(target.webSocketDebuggerUrl, { headers: { Origin: "http://localhost" } });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  const pending = new Map<
    number,
    { resolve: (result: Record<string, unknown>) => void; reject: (error: Error) => void }
  >();
  socket.addEventListener("message", (message) => {
    const reply = JSON.parse(String(message.data)) as {
      id?: number;
      result?: Record<string, unknown>;
      error?: { message: string };
    };
    if (reply.id === undefined) return;
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error) waiter?.reject(new Error(reply.error.message));
    else waiter?.resolve(reply.result ?? {});
  });
  let next = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(
        () => reject(new Error(`${method}: no answer in ${CALL_TIMEOUT_MS} ms`)),
        CALL_TIMEOUT_MS,
      );
      pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  const collectGarbage = async (pump: () => Promise<unknown>) => {
    // The inspector keeps every console message (our structured logs, one per execution) alive for
    // DevTools; production has no inspector, so drop them before measuring.
    await call("Runtime.discardConsoleEntries");
    // V8 runs the GC as a task on the isolate's thread, which workerd only services while a request
    // is in the isolate: keep sending trivial requests until the GC has answered.
    let done = false;
    const gc = call("HeapProfiler.collectGarbage").finally(() => (done = true));
    while (!done) {
      await pump();
      await sleep(50);
    }
    await gc;
    const usage = await call("Runtime.getHeapUsage");
    return Number(usage.usedSize);
  };
  return { call, collectGarbage, close: () => socket.close() };
}
