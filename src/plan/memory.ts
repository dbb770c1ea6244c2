// Memory planning: every intermediate tensor gets a slot in a small pool of
// buffers. A tensor holds its slot from the step that writes it to its last
// reader; freed slots are reused by best fit (the smallest free slot that is
// large enough, else the largest free one, grown). Views share the slot of
// the tensor they view. A slot is freed only after the step that produced the
// new tensor has been given its own slot, so no kernel reads and writes the
// same buffer.

export interface MemoryRequest {
  /** Bytes of the tensor each step produces (undefined: the step produces nothing that needs a slot). */
  bytes: (number | undefined)[];
  /** For each step, the indices of earlier steps whose tensors it reads. */
  reads: number[][];
  /** Steps whose tensors must survive to the end of the program (outputs, gradients read by updates). */
  keep: Set<number>;
}

export interface MemoryPlan {
  /** Slot index per step (-1 for steps without a tensor). */
  slotOf: number[];
  slotBytes: number[];
  plannedBytes: number;
  naiveBytes: number;
}

export function planMemory(req: MemoryRequest): MemoryPlan {
  const n = req.bytes.length;
  const lastUse = new Array<number>(n).fill(-1);
  req.reads.forEach((rs, step) => { for (const r of rs) lastUse[r] = Math.max(lastUse[r], step); });
  for (const k of req.keep) lastUse[k] = Infinity;

  const slotBytes: number[] = [];
  const free = new Set<number>();
  const slotOf = new Array<number>(n).fill(-1);
  const releaseAt = new Map<number, number[]>();

  for (let step = 0; step < n; step++) {
    const bytes = req.bytes[step];
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
      slotOf[step] = best;
      const end = lastUse[step] < 0 ? step : lastUse[step];
      if (end !== Infinity) releaseAt.set(end, [...(releaseAt.get(end) ?? []), best]);
    }
    for (const s of releaseAt.get(step) ?? []) free.add(s);
  }
  const naiveBytes = req.bytes.reduce<number>((s, b) => s + (b ?? 0), 0);
  return { slotOf, slotBytes, plannedBytes: slotBytes.reduce((s, b) => s + b, 0), naiveBytes };
}
