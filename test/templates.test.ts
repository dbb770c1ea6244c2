// The WGSL template helpers of src/ops/kernel.ts: fill() placeholders,
// unroll() lines and sections() optional parts, on small known templates,
// and the errors a broken template gets instead of a silently wrong shader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fill, sections, unroll } from '../src/ops/kernel.js';

test('fill: replaces placeholders in code, leaves those in comments, throws on a missing value', () => {
  assert.is(fill('let a = {{A}}; // {{A}} stays', { A: 3 }), 'let a = 3; // {{A}} stays');
  assert.throws(() => fill('let b = {{B}};', {}), /no value for \{\{B\}\}/);
});

test('unroll: repeats a line per index, every combination for several keys, in key order', () => {
  assert.is(unroll('a$p = $p;\n// $p stays\nb;', { p: 2 }), 'a0 = 0;\na1 = 1;\n// $p stays\nb;');
  assert.is(unroll('x$k_$c;', { k: 2, c: 2 }), 'x0_0;\nx0_1;\nx1_0;\nx1_1;');
});

const TEMPLATE = ['start', '// #if FAST', 'fast', '// #endif', '// #if !FAST', 'slow', '// #endif', 'end'].join('\n');

test('sections: keeps the #if part when the flag is on, the #if ! part when off, drops the markers', () => {
  assert.is(sections(TEMPLATE, { FAST: true }), 'start\nfast\nend');
  assert.is(sections(TEMPLATE, { FAST: false }), 'start\nslow\nend');
});

test('sections: a flag without a value, a nested #if, an unclosed #if and a stray #endif are errors', () => {
  assert.throws(() => sections(TEMPLATE, {}), /no flag for #if FAST/);
  assert.throws(() => sections('// #if A\n// #if B\n// #endif\n// #endif', { A: true, B: true }), /nested #if/);
  assert.throws(() => sections('// #if A\nx', { A: true }), /#if without #endif/);
  assert.throws(() => sections('x\n// #endif', {}), /#endif without #if/);
});

test.run();
