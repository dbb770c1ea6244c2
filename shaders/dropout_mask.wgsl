// Dropout mask: out[i] = 1/(1-RATE) with probability 1-RATE, else 0.
// The random stream is a hash of (SEED, run counter, i), so every run of a
// training step draws a new mask with no host work and no random-number
// buffer. Bindings: run (uniform: the run counter), out (write).
// Mapping: one thread per element, index = gid.x + gid.y * ROW.
override WG: u32 = 64;
override N: u32;
override ROW: u32;
override SEED: u32;
override RATE: f32;

struct Run { count: u32, pad0: u32, pad1: u32, pad2: u32 }

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

// PCG hash (O'Neill), a good 32-bit mixer for GPU random numbers.
fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ROW;
  if (i >= N) { return; }
  let h = pcg(i ^ pcg(run.count ^ pcg(SEED)));
  let u = f32(h >> 8u) * (1.0 / 16777216.0);
  out[i] = select(0.0, 1.0 / (1.0 - RATE), u >= RATE);
}
