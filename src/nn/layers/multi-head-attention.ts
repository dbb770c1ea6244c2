// multiHeadAttention (Keras): query, key and value projected per head, scaled
// dot-product attention per head (the fused kernel, ops.dotProductAttention),
// and the heads projected back to the query's last dimension.
import { InputError, ShapeError, fmtShape } from '../../errors.js';
import { booleanOption, numberOption } from '../../options.js';
import type { Tensor } from '../../graph/tensor.js';
import * as ops from '../../ops/index.js';
import { getInitializer, type InitializerLike } from '../initializers.js';
import { Layer, type LayerConfig, type LayerContext } from './layer.js';

/** Each kernel (and the dropout) draws from its own seed: one seed for all would start query and key equal. */
const PART_SEED: Record<string, number> = { query: 0, key: 1, value: 2, attention_output: 3, dropout: 4 };

export interface MultiHeadAttentionConfig extends LayerConfig {
  numHeads: number;
  /** The size of each head's queries and keys. */
  keyDim: number;
  /** The size of each head's values (default keyDim). */
  valueDim?: number;
  /** Dropout on the attention probabilities while training. */
  dropout?: number;
  useBias?: boolean;
  /** Position i attends to positions 0..i only (query and value of one length). */
  causal?: boolean;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  seed?: number;
}

/**
 * apply([query, value]) or apply([query, value, key]) with samples [tq, dq],
 * [tv, dv] and [tv, dk] -> [tq, dq]. Weights as Keras names them:
 * query/kernel [dq, heads, keyDim], key/kernel [dk, heads, keyDim],
 * value/kernel [dv, heads, valueDim], attention_output/kernel [heads,
 * valueDim, dq], each with its bias.
 */
export class MultiHeadAttention extends Layer {
  static override readonly className = 'MultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly causal: boolean;
  readonly seed: number;
  private readonly kernelInitializer: InitializerLike;
  private readonly biasInitializer: InitializerLike;

  constructor(config: MultiHeadAttentionConfig) {
    super(config, 'multi_head_attention', ['numHeads', 'keyDim', 'valueDim', 'dropout', 'useBias', 'causal', 'kernelInitializer', 'biasInitializer', 'seed']);
    const where = `multi_head_attention layer '${this.name}'`;
    for (const key of ['numHeads', 'keyDim'] as const) {
      if (config?.[key] === undefined) throw new InputError(`${where}: ${key} is missing, e.g. sn.layers.multiHeadAttention({ numHeads: 4, keyDim: 16 })`);
    }
    this.numHeads = numberOption(where, 'numHeads', config.numHeads, 0, { min: 1, integer: true });
    this.keyDim = numberOption(where, 'keyDim', config.keyDim, 0, { min: 1, integer: true });
    this.valueDim = numberOption(where, 'valueDim', config.valueDim, this.keyDim, { min: 1, integer: true });
    this.dropout = numberOption(where, 'dropout', config.dropout, 0, { min: 0, max: 1, below: true });
    this.useBias = booleanOption(where, 'useBias', config.useBias, true);
    this.causal = booleanOption(where, 'causal', config.causal, false);
    this.seed = numberOption(where, 'seed', config.seed, Math.floor(Math.random() * 2 ** 31), { integer: true });
    this.kernelInitializer = config.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = config.biasInitializer ?? 'zeros';
    getInitializer(this.kernelInitializer);
    getInitializer(this.biasInitializer);
  }

  call(inputs: readonly Tensor[], ctx: LayerContext): Tensor {
    if (inputs.length !== 2 && inputs.length !== 3) throw new ShapeError(`takes [query, value] or [query, value, key], got ${inputs.length} input${inputs.length === 1 ? '' : 's'}`);
    const [query, value, key = value] = inputs;
    for (const [name, t] of [['query', query], ['value', value], ['key', key]] as const) {
      if (t.rank !== 3) throw new ShapeError(`expects ${name} samples of shape [t, features], got ${fmtShape(t.shape.slice(1))}`);
    }
    if (key.shape[1] !== value.shape[1]) throw new ShapeError(`key and value must have the same length, got key ${fmtShape(key.shape.slice(1))} and value ${fmtShape(value.shape.slice(1))}`);
    if (this.causal && query.shape[1] !== key.shape[1]) throw new ShapeError(`causal attention needs query and key of one length, got query ${fmtShape(query.shape.slice(1))} and key ${fmtShape(key.shape.slice(1))}`);
    const q = this.project(ctx, 'query', query, this.keyDim);
    const k = this.project(ctx, 'key', key, this.keyDim);
    const v = this.project(ctx, 'value', value, this.valueDim);
    const attended = this.attend(ctx, q, k, v);
    return this.output(ctx, attended, query.shape[2]);
  }

  /** x [n, t, d] -> [n, t, heads, size] through `<part>/kernel` [d, heads, size] and `<part>/bias` [heads, size]. */
  private project(ctx: LayerContext, part: string, x: Tensor, size: number): Tensor {
    const [n, t, d] = x.shape;
    const heads = this.numHeads;
    const kernel = ctx.param(this, `${part}/kernel`, [d, heads, size], getInitializer(this.kernelInitializer, this.seed + PART_SEED[part]));
    let y = ops.matmul(ops.reshape(x, [n * t, d]), ops.reshape(kernel, [d, heads * size]));
    if (this.useBias) y = ops.add(y, ops.reshape(ctx.param(this, `${part}/bias`, [heads, size], getInitializer(this.biasInitializer)), [heads * size]));
    return ops.reshape(y, [n, t, heads, size]);
  }

  /**
   * The fused kernel. The composed form (scores and probabilities in memory)
   * serves two cases the kernel does not: dropout while training, whose
   * probabilities must exist to be dropped, and valueDim != keyDim (the
   * kernel takes one head size for q, k and v).
   */
  private attend(ctx: LayerContext, q: Tensor, k: Tensor, v: Tensor): Tensor {
    const dropping = ctx.training && this.dropout > 0;
    if (!dropping && this.valueDim === this.keyDim) return ops.dotProductAttention(q, k, v, { causal: this.causal });
    const rate = this.dropout;
    return ops.composedAttention(q, k, v, {
      causal: this.causal,
      scale: 1 / Math.sqrt(this.keyDim),
      probabilities: dropping ? (p) => ops.mul(p, ops.dropoutMask(ctx.graph, p.shape, rate, this.seed + PART_SEED.dropout)) : undefined,
    });
  }

  /** [n, tq, heads, valueDim] -> [n, tq, dq] through attention_output/kernel [heads, valueDim, dq]. */
  private output(ctx: LayerContext, o: Tensor, dq: number): Tensor {
    const [n, tq, heads, dv] = o.shape;
    const kernel = ctx.param(this, 'attention_output/kernel', [heads, dv, dq], getInitializer(this.kernelInitializer, this.seed + PART_SEED.attention_output));
    let y = ops.matmul(ops.reshape(o, [n * tq, heads * dv]), ops.reshape(kernel, [heads * dv, dq]));
    if (this.useBias) y = ops.add(y, ctx.param(this, 'attention_output/bias', [dq], getInitializer(this.biasInitializer)));
    return ops.reshape(y, [n, tq, dq]);
  }

  getConfig() {
    const c: Record<string, unknown> = {
      ...this.baseConfig(), numHeads: this.numHeads, keyDim: this.keyDim, valueDim: this.valueDim,
      dropout: this.dropout, useBias: this.useBias, causal: this.causal, seed: this.seed,
    };
    if (typeof this.kernelInitializer === 'string') c.kernelInitializer = this.kernelInitializer;
    if (typeof this.biasInitializer === 'string') c.biasInitializer = this.biasInitializer;
    return c;
  }
}
