// Every case of the hostile-input probe, by area, in the order they run.
// Each file under test/hostile/ holds one area's cases; fixtures.ts the
// shared models, files and helpers; probe.ts the runner.
import type { Case } from './probe.js';
import data from './cases-data.js';
import names from './cases-names.js';
import limits from './cases-limits.js';
import files from './cases-files.js';
import safetensors from './cases-safetensors.js';
import load from './cases-load.js';
import release from './cases-release.js';
import options from './cases-options.js';
import optimizers from './cases-optimizers.js';
import model from './cases-model.js';
import layers from './cases-layers.js';
import graph from './cases-graph.js';
import tensor from './cases-tensor.js';
import program from './cases-program.js';
import misc from './cases-misc.js';

export const cases: readonly Case[] = [
  ...data, ...names, ...limits, ...files, ...safetensors, ...load, ...release, ...options,
  ...optimizers, ...model, ...layers, ...graph, ...tensor, ...program, ...misc,
];
