// sn.compile(device, graph, { outputs, minimize }): plan the graph and build
// the program that replays it. Models build their programs here too
// (buildProgram), so kernel variants are measured in one place.
import { SinapsisError } from './errors.js';
import type { Device } from './device.js';
import { Graph } from './graph/graph.js';
import type { Tensor } from './graph/tensor.js';
import { buildPlan, type PlanRequest } from './plan/plan.js';
import { capsWithChoices, tuneVariants } from './exec/autotune.js';
import { Program } from './exec/program.js';
import type { ParamStore } from './exec/param-store.js';
import { getOptimizer, type Optimizer } from './optimizers/index.js';
import { checkOptions } from './options.js';

export interface CompileOptions {
  outputs: Record<string, Tensor>;
  /** Training: each run() also applies one optimizer step that lowers `loss`. */
  minimize?: { loss: Tensor; optimizer?: Optimizer | string; params?: readonly Tensor[] };
  /** State updates applied at the end of every run: each `param` takes this run's value of `value`. */
  updates?: readonly { param: Tensor; value: Tensor }[];
  /** Share parameters (by name) and optimizer state with other programs of the same store. */
  store?: ParamStore;
}

export async function compile(device: Device, graph: Graph, options: CompileOptions): Promise<Program> {
  if (!device || typeof (device as Device).assertAlive !== 'function') throw new SinapsisError('compile: the first argument must be a device from sn.createDevice()');
  if (!options || typeof options.outputs !== 'object' || options.outputs === null) throw new SinapsisError('compile: options.outputs must be an object of graph tensors, e.g. { loss }');
  if (!(graph instanceof Graph)) throw new SinapsisError('compile: the second argument must be a graph from sn.graph()');
  checkOptions('compile', options, ['outputs', 'minimize', 'updates', 'store']);
  if (options.minimize !== undefined) checkOptions('compile: minimize', options.minimize, ['loss', 'optimizer', 'params']);
  const minimize = options.minimize && {
    loss: options.minimize.loss,
    optimizer: getOptimizer(options.minimize.optimizer ?? 'sgd'),
    params: options.minimize.params,
  };
  return buildProgram(device, graph, { outputs: options.outputs, minimize, updates: options.updates }, options.store);
}

/**
 * Plans `graph` with the device's kernel variants (measured ones where the
 * device autotunes: a plan whose measured choices differ from what it was
 * built with is built again) and creates its program.
 */
export async function buildProgram(device: Device, graph: Graph, request: PlanRequest, store?: ParamStore): Promise<Program> {
  let caps = await capsWithChoices(device);
  let plan = buildPlan(graph, request, caps);
  if (device.autotune && (await tuneVariants(device, plan, caps))) {
    caps = await capsWithChoices(device);
    plan = buildPlan(graph, request, caps);
  }
  return Program.create(device, plan, store);
}
