// A symbolic tensor: one node of a static graph. It holds no data; shapes are
// static and known when the node is created. Op methods (t.add(...)) are
// attached by src/ops/methods.ts so this file stays free of op logic.
import type { Shape } from './shape.js';
import type { Graph } from './graph.js';

export type NodeKind = 'input' | 'param' | 'const' | 'op';

/**
 * The element type: float32 for every value a network computes; int32 for
 * ids and indices (token ids, the indices of a gather), which stay integers
 * end to end and only index.
 */
export type DType = 'float32' | 'int32';

/** Host-side initial values of a parameter: a function of its shape. */
export type Initializer = (shape: Shape) => Float32Array;

export type Attrs = Readonly<Record<string, unknown>>;

export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly kind: NodeKind,
    /** Op name for kind 'op'; 'input' / 'param' / 'const' otherwise. */
    readonly op: string,
    readonly inputs: readonly Tensor[],
    readonly attrs: Attrs,
    readonly shape: Shape,
    /** User-facing name (inputs and params), or undefined. */
    readonly name?: string,
    readonly dtype: DType = 'float32',
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  toString(): string {
    const label = this.name ? `${this.op} '${this.name}'` : this.op;
    return `Tensor#${this.id}(${label} [${this.shape.join(', ')}]${this.dtype === 'int32' ? ' int32' : ''})`;
  }
}
