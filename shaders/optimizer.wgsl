// One optimizer step for one parameter tensor, elementwise.
// Bindings: param (read_write), grad (read), one read_write array per
// optimizer state (named by the optimizer: m, v, ...), h: the step uniform
// (learning rate, step-dependent factors), shared by every update of a step
// so schedules need no recompile. {{T}} is f32, or vec4f when the tensor's
// size is a multiple of 4: the optimizers' update statements read the same
// for both (scalar hyper-parameters broadcast), and on CPU drivers one vec4
// load costs about what one f32 load does. Mapping: N units (values or
// vec4s); each thread updates PER consecutive units (per-thread overhead
// dominates on CPU drivers; the planner sets PER), thread index = gid.x +
// gid.y * ROW.
override WG: u32 = 64;
override N: u32;
override ROW: u32;
override PER: u32 = 4u;

struct Hyper {
{{FIELDS}}
}

@group(0) @binding(0) var<storage, read_write> param: array<{{T}}>;
@group(0) @binding(1) var<storage, read> grad: array<{{T}}>;
@group(0) @binding(2) var<uniform> h: Hyper;
{{STATE}}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let first = (gid.x + gid.y * ROW) * PER;
  for (var k = 0u; k < PER; k++) {
    let i = first + k;
    if (i >= N) { return; }
    let g = grad[i];
    var p = param[i];
    {{UPDATE}}
    param[i] = p;
  }
}
