// An R2 bucket whose operations count into the tally of the request's tag (bench only), by the kind R2
// bills them as: writes and lists are Class A, reads and heads Class B, deletes free. Never delayed.
import type { Meter } from "./latency";

/** What one tag did to wrapped R2 buckets. */
export interface R2Tally {
  /** `put` calls (Class A), and the bytes they sent when the body's size is known (strings, buffers, blobs). */
  puts: number;
  bytesPut: number;
  /** `get` calls (Class B). */
  gets: number;
  /** `head` calls (Class B). */
  heads: number;
  /** `list` calls (Class A). */
  lists: number;
  /** `delete` calls (free), and the keys they named (a call takes up to 1,000). */
  deletes: number;
  deletedKeys: number;
  /** Multipart uploads begun or resumed (Class A; their parts are not counted). */
  multipart: number;
}

export const newR2Tally = (): R2Tally => ({
  puts: 0,
  bytesPut: 0,
  gets: 0,
  heads: 0,
  lists: 0,
  deletes: 0,
  deletedKeys: 0,
  multipart: 0,
});

/** The size of a `put` body, when it can be known without reading it (a stream's cannot: 0). */
export function bodyBytes(body: unknown): number {
  if (typeof body === "string") return new TextEncoder().encode(body).byteLength;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof Blob) return body.size;
  return 0;
}

const COUNTED: Record<string, (tally: R2Tally, args: unknown[]) => void> = {
  put: (tally, args) => {
    tally.puts++;
    tally.bytesPut += bodyBytes(args[1]);
  },
  get: (tally) => tally.gets++,
  head: (tally) => tally.heads++,
  list: (tally) => tally.lists++,
  delete: (tally, args) => {
    tally.deletes++;
    tally.deletedKeys += Array.isArray(args[0]) ? args[0].length : 1;
  },
  createMultipartUpload: (tally) => tally.multipart++,
  resumeMultipartUpload: (tally) => tally.multipart++,
};

/** `real` with every operation counted into the meter's tally (nothing counted without a tag). */
export function countingR2(real: R2Bucket, meter: Meter): R2Bucket {
  return new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      const count = typeof prop === "string" ? COUNTED[prop] : undefined;
      if (!count) return method.bind(target);
      return (...args: unknown[]) => {
        const tally = meter.tally();
        if (tally) count(tally.r2, args);
        return method.apply(target, args);
      };
    },
  });
}
