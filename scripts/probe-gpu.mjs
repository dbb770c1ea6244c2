// Exits 0 when Dawn (npm `webgpu`) finds an adapter, directly or with Debian
// chromium's SwiftShader driver, as sinapsis.createDevice() would.
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
async function tryAdapter() {
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  return adapter ? `${adapter.info.vendor} ${adapter.info.architecture} (${adapter.info.description})` : undefined;
}
let found = await tryAdapter();
if (!found && !process.env.VK_ICD_FILENAMES && existsSync(icd)) {
  process.env.VK_ICD_FILENAMES = icd;
  found = await tryAdapter();
}
if (found) console.log(`probe-gpu: adapter ${found}`);
process.exit(found ? 0 : 1);
