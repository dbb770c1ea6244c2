// The workgroup-tiled attention kernels (shaders/attention_*_tiled.wgsl,
// for GPUs) run standalone against the CPU reference on odd shapes, with
// small workgroups and tiles so that every case spans several query tiles
// and several key tiles, including partial ones. The row kernels and the
// CPU reference's own checks are in attention-kernels.test.ts.
import { checkAll, makeCase, test } from './attention-check.js';

const odd = { batch: 2, tq: 13, tk: 13, heads: 3, d: 7 };

test('tiled, GPU vs CPU: causal t = 13, 3 heads, head size 7, batch 2 (workgroups of 8 rows, tiles of 8)', async () => {
  await checkAll(makeCase({ ...odd, causal: true }, 21), { variant: 'tiled', workgroupSize: 8, tile: 8 });
});

test('tiled, GPU vs CPU: cross attention tq = 5, tk = 11 and tq = 11, tk = 5 (workgroups of 4, tiles of 4 keys in blocks of 2)', async () => {
  await checkAll(makeCase({ ...odd, tq: 5, tk: 11 }, 22), { variant: 'tiled', workgroupSize: 4, tile: 4, keyBlock: 2 });
  await checkAll(makeCase({ ...odd, tq: 11, tk: 5, scale: 0.9 }, 23), { variant: 'tiled', workgroupSize: 4, tile: 4, keyBlock: 2 });
});

test('tiled, GPU vs CPU: default workgroups (64) and tiles (64 keys), t = 150 causal', async () => {
  await checkAll(makeCase({ batch: 1, tq: 150, tk: 150, heads: 2, d: 5, causal: true }, 24), { variant: 'tiled' });
});

test.run();
