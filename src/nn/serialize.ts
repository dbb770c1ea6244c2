// Saving and loading models: safetensors with the weights named by layer
// ('dense_1/kernel') and the model config as JSON in the metadata under
// 'sinapsis.config'. A loaded config is checked before anything is built.
import { FormatError, InputError, SinapsisError, fmtShape } from '../errors.js';
import type { Device } from '../device.js';
import { HostTensor } from '../graph/host-tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { input, type Layer, type SymbolicTensor } from './layers/layer.js';
import { sameShape, type Shape } from '../graph/shape.js';
import type { DType } from '../graph/tensor.js';
import { checkOptions, show } from '../options.js';
import { layerFromConfig } from './layers/index.js';
import { getOptimizer, type Optimizer } from '../optimizers/index.js';
import type { Model } from './model.js';

export const CONFIG_KEY = 'sinapsis.config';
const FORMAT = 'sinapsis-model';
const VERSION = 1;

interface SavedLayer { className: string; config: Record<string, unknown>; inbound: string[] }
interface SavedModel {
  format: string;
  version: number;
  name: string;
  input: { name: string; shape: number[]; dtype?: DType };
  layers: SavedLayer[];
  output: string;
  compile?: { loss?: string; metrics: string[]; optimizer: { name: string; config: Record<string, number | boolean> } };
  optimizerStep?: number;
}

export async function encodeModel(model: Model, includeOptimizer: boolean): Promise<Uint8Array> {
  const topo = model.topology;
  const nameOf = (t: SymbolicTensor) => (t.layer ? t.layer.name : t.name);
  const seen = new Set<string>();
  const layers: SavedLayer[] = [];
  for (const node of topo.nodes) {
    const l = node.layer!;
    if (seen.has(l.name)) throw new FormatError(`save: layer '${l.name}' is applied twice; shared layers cannot be saved in this version`);
    seen.add(l.name);
    layers.push({ className: l.className, config: l.getConfig(), inbound: node.inputs.map(nameOf) });
  }
  const config: SavedModel = {
    format: FORMAT,
    version: VERSION,
    name: model.name,
    input: { name: topo.input.name, shape: [...topo.input.shape], ...(topo.input.dtype === 'int32' ? { dtype: 'int32' as const } : {}) },
    layers,
    output: nameOf(topo.output),
    compile: model.compileConfig,
  };
  const tensors: Record<string, HostTensor> = { ...(await model.getWeights()) };
  if (includeOptimizer) {
    const { step, state } = await model.optimizerState();
    config.optimizerStep = step;
    for (const [k, v] of Object.entries(state)) tensors[`optimizer/${k}`] = v;
  }
  return encodeSafetensors(tensors, { [CONFIG_KEY]: JSON.stringify(config) });
}

/** Any error met while rebuilding a model from a file, as the FormatError loadModel promises. */
function asFormatError(e: unknown): FormatError {
  if (e instanceof FormatError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // A TypeError or RangeError here means a config value of an unexpected kind reached a constructor.
  const detail = e instanceof SinapsisError ? message : `the model config is malformed (${message})`;
  return new FormatError(`loadModel: ${detail.replace(/^loadModel: /, '')}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The config saved in the file, checked for the structure the loader relies on (the values are checked by what consumes them). */
function parseConfig(metadata: Record<string, string>): SavedModel {
  const text = metadata[CONFIG_KEY];
  if (text === undefined) throw new FormatError(`loadModel: the file has no '${CONFIG_KEY}' metadata; it is safetensors but not a saved sinapsis model`);
  let c: SavedModel;
  try {
    c = JSON.parse(text) as SavedModel;
  } catch (e) {
    throw new FormatError(`loadModel: '${CONFIG_KEY}' is not valid JSON (${(e as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new FormatError(`loadModel: '${CONFIG_KEY}' ${what}`);
  };
  if (!isObject(c) || c.format !== FORMAT) fail(`is not a ${FORMAT} config`);
  if (c.version !== VERSION) throw new FormatError(`loadModel: config version ${JSON.stringify(c.version)} is not supported (this engine reads version ${VERSION})`);
  if (!isObject(c.input) || typeof c.input.name !== 'string' || !Array.isArray(c.layers) || typeof c.output !== 'string') fail('lacks input { name, shape }, layers or output');
  if (c.name !== undefined && typeof c.name !== 'string') fail(`has a model name that is not a string (${JSON.stringify(c.name)})`);
  c.layers.forEach((l, i) => {
    if (!isObject(l) || typeof l.className !== 'string' || !isObject(l.config) || !Array.isArray(l.inbound) || !l.inbound.every((n) => typeof n === 'string')) {
      fail(`layer entry ${i} must be { className: string, config: object, inbound: string[] }, got ${JSON.stringify(l)}`);
    }
  });
  if (c.compile !== undefined) {
    const k = c.compile;
    if (!isObject(k) || !isObject(k.optimizer) || typeof k.optimizer.name !== 'string' || !isObject(k.optimizer.config)) {
      fail(`has a compile entry that is not { loss?, metrics: string[], optimizer: { name, config } }: ${JSON.stringify(k)}`);
    }
    if (k.metrics !== undefined && !Array.isArray(k.metrics)) fail(`has compile metrics ${JSON.stringify(k.metrics)}; they must be an array of names`);
  }
  if (c.optimizerStep !== undefined && (!Number.isSafeInteger(c.optimizerStep) || c.optimizerStep < 0)) {
    fail(`has optimizerStep ${JSON.stringify(c.optimizerStep)}; it must be a non-negative integer (the optimizer steps taken)`);
  }
  return c;
}

/** The layers of a saved config, connected as they were. */
function buildModel(c: SavedModel, Model: typeof import('./model.js').Model): InstanceType<typeof import('./model.js').Model> {
  let x: SymbolicTensor;
  try {
    x = input({ shape: c.input.shape, name: c.input.name, ...(c.input.dtype === undefined ? {} : { dtype: c.input.dtype }) });
  } catch (e) {
    throw new FormatError(`loadModel: the model's input: ${e instanceof Error ? e.message : String(e)}`);
  }
  const produced = new Map<string, SymbolicTensor>([[c.input.name, x]]);
  for (const l of c.layers) {
    let layer: Layer;
    try {
      layer = layerFromConfig(l.className, l.config);
    } catch (e) {
      throw new FormatError(`loadModel: layer ${JSON.stringify(l.config.name ?? l.className)} (${l.className}): ${e instanceof Error ? e.message : String(e)}`);
    }
    if (produced.has(layer.name)) throw new FormatError(`loadModel: two layers (or the input and a layer) are named '${layer.name}'`);
    const inputs = l.inbound.map((n) => {
      const t = produced.get(n);
      if (!t) throw new FormatError(`loadModel: layer '${layer.name}' takes '${n}', which no earlier layer produces`);
      return t;
    });
    produced.set(layer.name, layer.apply(inputs));
  }
  const output = produced.get(c.output);
  if (!output) throw new FormatError(`loadModel: the output '${c.output}' is not produced by any layer`);
  return new Model({ inputs: x, outputs: output, name: c.name });
}

/** The file's bytes: given as bytes, or (in Node) read from a path. */
async function readSource(source: unknown): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (typeof source === 'string') {
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    if (!isNode) throw new InputError(`loadModel: a path ('${source}') can be read in Node only; in a browser pass the file's bytes, e.g. new Uint8Array(await (await fetch(url)).arrayBuffer())`);
    const { readFile } = await import('node:fs/promises');
    try {
      return new Uint8Array(await readFile(source));
    } catch (e) {
      throw new InputError(`loadModel: cannot read '${source}': ${(e as Error).message}`);
    }
  }
  throw new InputError(`loadModel: expected the file's bytes (a Uint8Array or ArrayBuffer) or, in Node, a path; got ${show(source)}`);
}

/** Runs `read` on the file's bytes; a problem found in a file given by path names the path. */
function inFile<T>(source: unknown, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (typeof source === 'string' && e instanceof FormatError) throw new FormatError(`loadModel: '${source}': ${e.message.replace(/^loadModel: /, '')}`);
    throw e;
  }
}

/** The file's optimizer state ('<weight>/<state>' after 'optimizer/') belongs to its optimizer and weights, with their shapes. */
function checkOptimizerState(state: Record<string, HostTensor>, optimizer: Optimizer | undefined, shapes: ReadonlyMap<string, Shape>, step: number | undefined): void {
  const names = Object.keys(state);
  if (names.length === 0) return;
  if (!optimizer) throw new FormatError('loadModel: the file has optimizer state but no compile config naming its optimizer');
  if (step === undefined) throw new FormatError('loadModel: the file has optimizer state but no optimizerStep');
  const kinds = optimizer.state.map((st) => st.name);
  for (const name of names) {
    const cut = name.lastIndexOf('/');
    const shape = shapes.get(name.slice(0, cut));
    if (cut < 0 || !shape || !kinds.includes(name.slice(cut + 1))) {
      throw new FormatError(`loadModel: tensor 'optimizer/${name}' is not ${optimizer.name}'s state of a weight of the model (expected 'optimizer/<weight>/<state>' with state ${kinds.map((k) => `'${k}'`).join(', ') || '(none: it keeps no state)'})`);
    }
    if (!sameShape(state[name].shape, shape)) throw new FormatError(`loadModel: tensor 'optimizer/${name}' has shape ${fmtShape(state[name].shape)}, its weight's shape is ${fmtShape(shape)}`);
  }
}

/**
 * Rebuilds a saved model on `device`. Everything the loader relies on is
 * checked first (the config's structure, each layer's config, the tensors
 * against the weights the layers declare, the optimizer's state against its
 * weights), and every problem is a FormatError; a load that fails releases
 * every GPU buffer it took.
 */
export async function loadModel(source: Uint8Array | ArrayBuffer | string, options: { device: Device }): Promise<InstanceType<typeof import('./model.js').Model>> {
  const o = checkOptions('loadModel', options, ['device']);
  if (!o.device || typeof o.device.assertAlive !== 'function') throw new InputError('loadModel: needs { device } from sn.createDevice()');
  const bytes = await readSource(source);
  const { tensors, metadata, config: c } = inFile(source, () => {
    const decoded = decodeSafetensors(bytes);
    return { ...decoded, config: parseConfig(decoded.metadata) };
  });
  const { Model } = await import('./model.js');
  let model: InstanceType<typeof Model> | undefined;
  try {
    model = buildModel(c, Model);
    const weights: Record<string, HostTensor> = Object.create(null);
    const optState: Record<string, HostTensor> = Object.create(null);
    for (const [k, v] of Object.entries(tensors)) {
      if (k.startsWith('optimizer/')) optState[k.slice('optimizer/'.length)] = v;
      else weights[k] = v;
    }
    // Every weight the model has must come from the file, with its shape, before any GPU memory is taken.
    const shapes = model.weightShapes();
    for (const [name, shape] of shapes) {
      const w = weights[name];
      if (!w) throw new FormatError(`loadModel: the file has no tensor '${name}' (the model's weights: ${[...shapes.keys()].join(', ')})`);
      if (!sameShape(w.shape, shape)) throw new FormatError(`loadModel: tensor '${name}' has shape ${fmtShape(w.shape)}, the model needs ${fmtShape(shape)}`);
    }
    const extra = Object.keys(weights).filter((k) => !shapes.has(k));
    if (extra.length) throw new FormatError(`loadModel: the file has tensors the model does not use: ${extra.join(', ')}`);
    const optimizer = c.compile ? getOptimizer(c.compile.optimizer.name, c.compile.optimizer.config) : undefined;
    checkOptimizerState(optState, optimizer, shapes, c.optimizerStep);
    model.setWeights(weights);
    model.compile({ device: o.device, loss: c.compile?.loss, metrics: c.compile?.metrics, optimizer });
    if (Object.keys(optState).length) model.setOptimizerState(c.optimizerStep!, optState);
    return model;
  } catch (e) {
    model?.dispose();
    throw asFormatError(e);
  }
}
