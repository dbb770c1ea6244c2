// Saving and loading models: safetensors with the weights named by layer
// ('dense_1/kernel') and the model config as JSON in the metadata under
// 'sinapsis.config'. A loaded config is checked before anything is built.
import { FormatError } from '../errors.js';
import type { Device } from '../device.js';
import { HostTensor } from '../graph/host-tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { input, type SymbolicTensor } from './layers/layer.js';
import { layerFromConfig } from './layers/index.js';
import { getOptimizer } from './optimizers.js';
import type { Model } from './model.js';

export const CONFIG_KEY = 'sinapsis.config';
const FORMAT = 'sinapsis-model';
const VERSION = 1;

interface SavedLayer { className: string; config: Record<string, unknown>; inbound: string[] }
interface SavedModel {
  format: string;
  version: number;
  name: string;
  input: { name: string; shape: number[] };
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
    input: { name: topo.input.name, shape: [...topo.input.shape] },
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

function parseConfig(metadata: Record<string, string>): SavedModel {
  const text = metadata[CONFIG_KEY];
  if (text === undefined) throw new FormatError(`loadModel: the file has no '${CONFIG_KEY}' metadata; it is safetensors but not a saved sinapsis model`);
  let c: SavedModel;
  try {
    c = JSON.parse(text) as SavedModel;
  } catch (e) {
    throw new FormatError(`loadModel: '${CONFIG_KEY}' is not valid JSON (${(e as Error).message})`);
  }
  if (!c || c.format !== FORMAT) throw new FormatError(`loadModel: '${CONFIG_KEY}' is not a ${FORMAT} config`);
  if (c.version !== VERSION) throw new FormatError(`loadModel: config version ${c.version} is not supported (this engine reads version ${VERSION})`);
  if (!c.input || !Array.isArray(c.input.shape) || !Array.isArray(c.layers) || typeof c.output !== 'string') {
    throw new FormatError('loadModel: the model config lacks input, layers or output');
  }
  return c;
}

export async function loadModel(bytes: Uint8Array, options: { device: Device }): Promise<Model> {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const c = parseConfig(metadata);
  const { Model } = await import('./model.js');
  const x = input({ shape: c.input.shape, name: c.input.name });
  const produced = new Map<string, SymbolicTensor>([[c.input.name, x]]);
  for (const l of c.layers) {
    if (!l || typeof l.className !== 'string' || typeof l.config !== 'object' || !Array.isArray(l.inbound)) throw new FormatError('loadModel: a layer entry lacks className, config or inbound');
    const layer = layerFromConfig(l.className, l.config);
    const inputs = l.inbound.map((n) => {
      const t = produced.get(n);
      if (!t) throw new FormatError(`loadModel: layer '${layer.name}' takes '${n}', which no earlier layer produces`);
      return t;
    });
    produced.set(layer.name, layer.apply(inputs));
  }
  const output = produced.get(c.output);
  if (!output) throw new FormatError(`loadModel: the output '${c.output}' is not produced by any layer`);
  const model = new Model({ inputs: x, outputs: output, name: c.name });

  const weights: Record<string, HostTensor> = {};
  const optState: Record<string, HostTensor> = {};
  for (const [k, v] of Object.entries(tensors)) {
    if (k.startsWith('optimizer/')) optState[k.slice('optimizer/'.length)] = v;
    else weights[k] = v;
  }
  model.setWeights(weights);
  const compile = () => model.compile({
    device: options.device,
    loss: c.compile?.loss,
    metrics: c.compile?.metrics,
    optimizer: c.compile ? getOptimizer(c.compile.optimizer.name, c.compile.optimizer.config) : undefined,
  });
  try {
    compile();
  } catch (e) {
    model.dispose();
    if (e instanceof FormatError) throw e;
    throw new FormatError(`loadModel: ${(e as Error).message}`);
  }
  // Every weight the model has must have come from the file, with the right shape.
  const stored = await model.getWeights();
  for (const [name, t] of Object.entries(stored)) {
    const w = weights[name];
    if (!w) throw new FormatError(`loadModel: the file has no tensor '${name}'`);
    if (w.size !== t.size || w.shape.join() !== t.shape.join()) throw new FormatError(`loadModel: tensor '${name}' has shape [${w.shape}], the model needs [${t.shape}]`);
  }
  const extra = Object.keys(weights).filter((k) => !(k in stored));
  if (extra.length) throw new FormatError(`loadModel: the file has tensors the model does not use: ${extra.join(', ')}`);
  if (Object.keys(optState).length) model.setOptimizerState(c.optimizerStep ?? 0, optState);
  return model;
}
