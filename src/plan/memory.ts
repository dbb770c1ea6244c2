// Memory planning: every intermediate tensor gets a slot in a small pool of
// buffers. A tensor holds its slot from the stage that writes it to its last
// reader; freed slots are reused by best fit (the smallest free slot that is
// large enough, else the largest free one, grown). Views share the slot of
// the tensor they view. A slot is freed only after the stage that produced the
// new tensor has been given its own slot, so no kernel reads and writes the
// same buffer.

export interface MemoryRequest {
  /** Bytes of the tensor each stage produces (undefined: the stage produces nothing that needs a slot). */
  bytes: (number | undefined)[];
  /** For each stage, the indices of earlier stages whose tensors it reads. */
  reads: number[][];
  /** Stages whose tensors must survive to the end of the program (outputs, gradients read by updates). */
  keep: Set<number>;
}

export interface MemoryPlan {
  /** Slot index per stage (-1 for stages without a tensor). */
  slotOf: number[];
  slotBytes: number[];
  plannedBytes: number;
  naiveBytes: number;
}

export function planMemory(req: MemoryRequest): MemoryPlan {
  const n = req.bytes.length;
  const lastUse = new Array<number>(n).fill(-1);
  req.reads.forEach((rs, stage) => { for (const r of rs) lastUse[r] = Math.max(lastUse[r], stage); });
  for (const k of req.keep) lastUse[k] = Infinity;

  const slotBytes: number[] = [];
  const free = new Set<number>();
  const slotOf = new Array<number>(n).fill(-1);
  const releaseAt = new Map<number, number[]>();

  for (let stage = 0; stage < n; stage++) {
    const bytes = req.bytes[stage];
    if (bytes !== undefined) {
      let best = -1;
      for (const s of free) {
        if (slotBytes[s] >= bytes && (best < 0 || slotBytes[s] < slotBytes[best])) best = s;
      }
      if (best < 0) {
        for (const s of free) if (best < 0 || slotBytes[s] > slotBytes[best]) best = s;
        if (best >= 0) slotBytes[best] = bytes;
      }
      if (best < 0) {
        best = slotBytes.length;
        slotBytes.push(bytes);
      }
      free.delete(best);
      slotOf[stage] = best;
      const end = lastUse[stage] < 0 ? stage : lastUse[stage];
      if (end !== Infinity) releaseAt.set(end, [...(releaseAt.get(end) ?? []), best]);
    }
    for (const s of releaseAt.get(stage) ?? []) free.add(s);
  }
  const naiveBytes = req.bytes.reduce<number>((s, b) => s + (b ?? 0), 0);
  return { slotOf, slotBytes, plannedBytes: slotBytes.reduce((s, b) => s + b, 0), naiveBytes };
}
