// What the planner needs to know of an optimizer: its per-parameter state and
// its WGSL update. nn/optimizers.ts builds these; the planner and executor
// never import nn.

export interface OptimizerSpec {
  readonly name: string;
  /** Per-parameter state tensors (each of the parameter's shape) and their initial value. */
  readonly state: readonly { readonly name: string; readonly init: number }[];
  /** Names of the f32 fields of the step uniform, read in WGSL as h.<name>. */
  readonly uniforms: readonly string[];
  /**
   * WGSL statements that update `p` (var, the parameter element) from `g`
   * (let, its gradient) and the state arrays by name (`m[i]`, ...), reading
   * hyper-parameters from `h`.
   */
  readonly wgsl: string;
  /** Values of the uniform fields for optimizer step t (1-based), in `uniforms` order. */
  uniformValues(t: number): number[];
}
