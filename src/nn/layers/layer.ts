// Layers: the Keras-style building blocks. A layer knows its output shape
// (checked when the model is assembled, errors name the layer) and how to
// add its nodes to a graph; its weights are graph params named
// `<layer>/<weight>`, shared by every program the model compiles.
import { InputError, ShapeError, SinapsisError, fmtShape } from '../../errors.js';
import { checkOptions, show } from '../../options.js';
import { Graph } from '../../graph/graph.js';
import type { Shape } from '../../graph/shape.js';
import type { DType, Initializer, Tensor } from '../../graph/tensor.js';

/** What a layer may use while adding its nodes to a graph. */
export interface LayerContext {
  readonly graph: Graph;
  /** Dropout and batch statistics differ between training and inference. */
  readonly training: boolean;
  /** A weight of this layer (created on first use, shared afterwards). */
  param(layer: Layer, weight: string, shape: Shape, init: Initializer, trainable?: boolean): Tensor;
  /** A scalar added to the training loss (weight penalties). */
  addLoss(t: Tensor): void;
  /** A state update applied after each training step (moving averages): `param` takes `value`. */
  addUpdate(param: Tensor, value: Tensor): void;
}

export interface LayerConfig {
  name?: string;
  /** Shape of one sample (no batch axis), for the first layer of a sequential model. */
  inputShape?: number[];
}

const counters = new Map<string, number>();

/** Keras-style unique names: dense_1, dense_2, ... */
export function uniqueName(prefix: string): string {
  const n = (counters.get(prefix) ?? 0) + 1;
  counters.set(prefix, n);
  return `${prefix}_${n}`;
}

/** A tensor of the model being assembled: a sample shape, its dtype and the layer that produces it. */
export class SymbolicTensor {
  constructor(
    readonly shape: readonly number[],
    readonly layer: Layer | undefined,
    readonly inputs: readonly SymbolicTensor[],
    readonly name: string,
    readonly dtype: DType = 'float32',
  ) {}
}

/**
 * sn.input({ shape, dtype }): the input of a functional model (shape of one
 * sample, no batch axis); dtype 'int32' for token ids.
 */
export function input(config: { shape: number[]; name?: string; dtype?: DType }): SymbolicTensor {
  const c = checkOptions('input', config, ['shape', 'name', 'dtype']);
  const shape = checkSampleShape('input', 'shape', c.shape);
  if (c.name !== undefined && (typeof c.name !== 'string' || c.name === '')) throw new InputError(`input: name must be a non-empty string, got ${show(c.name)}`);
  if (c.dtype !== undefined && c.dtype !== 'float32' && c.dtype !== 'int32') throw new InputError(`input: dtype must be 'float32' or 'int32', got ${show(c.dtype)}`);
  return new SymbolicTensor(shape, undefined, [], c.name ?? uniqueName('input'), c.dtype ?? 'float32');
}

/** A sample shape given by the user: an array of positive integers. */
export function checkSampleShape(where: string, what: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ShapeError(`${where}: ${what} must be an array of positive integers (one sample, no batch axis), got ${JSON.stringify(shape) ?? show(shape)}`);
  }
  return [...shape] as number[];
}

export abstract class Layer {
  /** The class name saved with a model (Keras' name for the layer class). Each layer class sets its own. */
  static readonly className: string = 'Layer';
  readonly className: string;
  readonly name: string;
  readonly inputShape: number[] | undefined;

  /**
   * `config` is checked here: its keys must be `name`, `inputShape` or one of
   * `keys` (the layer's own options), so a misspelt option is an error
   * rather than silently ignored. Each layer checks the values of its own.
   */
  constructor(config: LayerConfig | undefined, prefix: string, keys: readonly string[] = []) {
    this.className = (new.target as typeof Layer).className;
    const c = checkOptions(`${prefix} layer`, config, ['name', 'inputShape', ...keys]);
    if (c.name !== undefined && (typeof c.name !== 'string' || !/^[^/]+$/.test(c.name))) {
      throw new InputError(`${prefix} layer: name must be a non-empty string without '/' (weights are named '<layer>/<weight>'), got ${show(c.name)}`);
    }
    this.name = c.name ?? uniqueName(prefix);
    this.inputShape = c.inputShape === undefined ? undefined : checkSampleShape(`layer '${this.name}'`, 'inputShape', c.inputShape);
  }

  /**
   * Adds this layer's nodes; inputs and output carry the batch axis first.
   * The ops check the shapes (one shape rule per op); a layer checks only
   * what they cannot see, such as how many inputs it takes.
   */
  abstract call(inputs: readonly Tensor[], ctx: LayerContext): Tensor;

  /**
   * The output sample shape for input sample shapes: call() on a scratch
   * graph with a batch of one, so the ops' shape rules are the layers' too.
   * Weights are declared there but never initialised.
   */
  outputShape(inputs: readonly Shape[], dtypes: readonly DType[] = []): Shape {
    return this.traceOutput(inputs, dtypes).shape.slice(1);
  }

  private traceOutput(inputs: readonly Shape[], dtypes: readonly DType[]): Tensor {
    const graph = new Graph();
    graph.scope = `layer '${this.name}' (${this.className})`;
    const xs = inputs.map((s, i) => graph.input(`x${i}`, [1, ...s], dtypes[i] ?? 'float32'));
    const ctx: LayerContext = {
      graph,
      training: false,
      param: (layer, weight, shape, init, trainable) => graph.paramsByName.get(`${layer.name}/${weight}`) ?? graph.param(`${layer.name}/${weight}`, shape, init, { trainable }),
      addLoss: () => undefined,
      addUpdate: () => undefined,
    };
    return inScope(graph, () => this.call(xs, ctx));
  }

  /**
   * The dtype of the data this layer takes when it is a sequential model's
   * first layer: an embedding takes int32 ids, every other layer floats.
   */
  get inputDType(): DType {
    return 'float32';
  }

  /**
   * Checks data given to fit/evaluate/predict for the model input this layer
   * reads directly (an embedding checks that every id is in its range);
   * `where` names the data ('fit x').
   */
  checkData?(where: string, data: Float32Array | Int32Array, shape: readonly number[]): void;

  /** The config that rebuilds this layer (saved with the model). */
  abstract getConfig(): Record<string, unknown>;

  /** Connects this layer in a model being assembled. */
  apply(x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
    const inputs = x instanceof SymbolicTensor ? [x] : Array.isArray(x) ? [...x] : [];
    if (inputs.length === 0 || inputs.some((i) => !(i instanceof SymbolicTensor))) {
      throw new SinapsisError(`layer '${this.name}' (${this.className}): apply takes a tensor from sn.input(...) or from another layer's apply (or an array of them), got ${show(x)}`);
    }
    const out = this.traceOutput(inputs.map((i) => i.shape), inputs.map((i) => i.dtype));
    return new SymbolicTensor(out.shape.slice(1), this, inputs, this.name, out.dtype);
  }

  protected baseConfig(): Record<string, unknown> {
    return this.inputShape ? { name: this.name, inputShape: this.inputShape } : { name: this.name };
  }
}

/** Runs `build` (a layer's call), naming the layer in a ShapeError that a check made before any op did not. */
export function inScope<T>(graph: Graph, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof ShapeError && graph.scope && !e.message.startsWith(graph.scope)) throw new ShapeError(`${graph.scope}: ${e.message}`);
    throw e;
  }
}

/** The only input of a layer that takes one. */
export function single(inputs: readonly Tensor[]): Tensor {
  if (inputs.length !== 1) throw new ShapeError(`expects one input, got ${inputs.length}`);
  return inputs[0];
}

/** Throws unless x (batch first) has `rank` axes: `what` describes a sample. */
export function requireRank(x: Tensor, rank: number, what: string): void {
  if (x.rank !== rank) throw new ShapeError(`expects samples of shape ${what}, got ${fmtShape(x.shape.slice(1))}`);
}
