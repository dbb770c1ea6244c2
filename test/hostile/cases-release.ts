// Failures release GPU buffers: sn.compile with a param initializer that
// throws, minimize.params or updates holding things that are not params of
// this graph, and controls showing a normal life cycle leaks nothing. (The
// probe checks sn.liveBufferCount after every case.)
import * as sn from '../../src/index.js';
import type { Case, Ctx } from './probe.js';
import { X, Y, err, hostX, ok, quiet, tinyModel, word } from './fixtures.js';

const area = 'release';

/** A graph with a healthy param w0 (so a failed compile has something to release) plus whatever `build` adds. */
async function compileWith(ctx: Ctx, build: (g: sn.Graph, w0: sn.Tensor) => sn.CompileOptions): Promise<string> {
  const g = sn.graph();
  const w0 = g.param('w0', [2, 2], [1, 2, 3, 4]);
  const prog = await sn.compile(ctx.device, g, build(g, w0));
  prog.dispose();
  return 'compiled';
}

const lossOf = (w0: sn.Tensor) => w0.square().sum();

const cases: Case[] = [
  {
    area, name: 'sn.compile with a param initializer that throws names the param and the cause',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const w1 = g.param('w1', [3], () => { throw new Error('boom in the initializer'); });
      return { outputs: { s: w0.sum().add(w1.sum()) } };
    }),
    expect: err(Error, 'boom'),
  },
  {
    area, name: 'sn.compile with a param initializer that returns the wrong length names the param',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const w1 = g.param('w1', [3], () => new Float32Array(7));
      return { outputs: { s: w0.sum().add(w1.sum()) } };
    }),
    expect: err(sn.SinapsisError, "'w1'", '7'),
  },
  {
    area, name: 'minimize.params holding an input tensor',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const x = g.input('x_in', [2, 2]);
      const loss = w0.mul(x).sum();
      return { outputs: { loss }, minimize: { loss, params: [w0, x] } };
    }),
    expect: err(sn.SinapsisError, 'x_in', 'param'),
  },
  {
    area, name: 'minimize.params holding a param of another graph',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const other = sn.graph().param('w_other', [2], [1, 2]);
      const loss = lossOf(w0);
      return { outputs: { loss }, minimize: { loss, params: [w0, other] } };
    }),
    expect: err(sn.SinapsisError, 'another graph'),
  },
  {
    area, name: 'minimize.params holding a number',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const loss = lossOf(w0);
      return { outputs: { loss }, minimize: { loss, params: [w0, 5 as unknown as sn.Tensor] } };
    }),
    expect: err(sn.SinapsisError, 'params'),
  },
  {
    area, name: "minimize.params holding a name ('w0') instead of a tensor",
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const loss = lossOf(w0);
      return { outputs: { loss }, minimize: { loss, params: ['w0' as unknown as sn.Tensor] } };
    }),
    expect: err(sn.SinapsisError, 'params'),
  },
  {
    area, name: 'minimize.params that is one tensor, not an array',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const loss = lossOf(w0);
      return { outputs: { loss }, minimize: { loss, params: w0 as unknown as sn.Tensor[] } };
    }),
    expect: err(sn.SinapsisError, 'params'),
  },
  {
    area, name: 'minimize.params holding an op result (w0 * 2), not a param',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const loss = lossOf(w0);
      return { outputs: { loss }, minimize: { loss, params: [w0.mul(2)] } };
    }),
    expect: err(sn.SinapsisError, 'param'),
  },
  {
    area, name: 'minimize.loss that is a number',
    run: (ctx) => compileWith(ctx, (g, w0) => ({ outputs: { s: w0.sum() }, minimize: { loss: 5 as unknown as sn.Tensor } })),
    expect: err(sn.SinapsisError, 'loss', ['tensor', 'number']),
  },
  {
    area, name: 'minimize.loss from another graph',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const other = sn.graph().param('w_other', [2], [1, 2]).sum();
      return { outputs: { s: w0.sum() }, minimize: { loss: other } };
    }),
    expect: err(sn.SinapsisError, 'another graph'),
  },
  {
    area, name: 'minimize.optimizer that is an empty object',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const loss = lossOf(w0);
      return { outputs: { loss }, minimize: { loss, optimizer: {} as unknown as string } };
    }),
    expect: err(sn.SinapsisError, 'optimizer'),
  },
  {
    area, name: 'updates with a param of another graph',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const other = sn.graph().param('w_other', [2, 2]);
      return { outputs: { s: w0.sum() }, updates: [{ param: other, value: w0 }] };
    }),
    expect: err(sn.SinapsisError, 'w_other', ['another graph', 'this graph']),
  },
  {
    area, name: 'updates with a value of the wrong shape',
    run: (ctx) => compileWith(ctx, (g, w0) => ({ outputs: { s: w0.sum() }, updates: [{ param: w0, value: g.constant([1, 2, 3], [3]) }] })),
    expect: err(sn.ShapeError, '[2, 2]', '[3]'),
  },
  {
    area, name: 'updates whose param is an input, not a param',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const x = g.input('x_upd', [2, 2]);
      return { outputs: { s: w0.sum().add(x.sum()) }, updates: [{ param: x, value: w0 }] };
    }),
    expect: err(sn.SinapsisError, 'x_upd', 'param'),
  },
  {
    area, name: 'a model.compile that fails (unknown metric) leaves the model usable',
    run: (ctx) => {
      const m = tinyModel(ctx, { compile: false });
      return (async () => {
        try {
          try {
            m.compile({ device: ctx.device, loss: 'meanSquaredError', metrics: ['bogus'] });
          } catch {
            // expected
          }
          m.compile({ device: ctx.device, loss: 'meanSquaredError', optimizer: 'sgd' });
          return await m.fit(X, Y, { epochs: 1, batchSize: 3, ...quiet });
        } finally {
          m.dispose();
        }
      })();
    },
    expect: ok((h: sn.History) => (h.epoch.length === 1 ? true : `history ${JSON.stringify(h)}`)),
  },
  {
    area, name: 'control: compile, fit, evaluate, predict, save, dispose leaks nothing',
    run: async (ctx) => {
      const m = tinyModel(ctx);
      try {
        await m.fit(X, Y, { epochs: 2, batchSize: 4, ...quiet });
        await m.evaluate(X, Y);
        await m.predict(hostX());
        await m.save({ includeOptimizer: true });
        return 'done';
      } finally {
        m.dispose();
      }
    },
    expect: ok(),
  },
  {
    area, name: 'control: a program whose run was rejected (wrong input length) leaks nothing once disposed',
    run: async (ctx) => {
      const g = sn.graph();
      const x = g.input('x', [3]);
      const prog = await sn.compile(ctx.device, g, { outputs: { y: x.mul(2) } });
      try {
        await prog.run({ x: [1, 2] }).catch(() => undefined);
        return (await prog.run({ x: [1, 2, 3] })).y.data;
      } finally {
        prog.dispose();
      }
    },
    expect: ok((d: Float32Array) => (d.join() === '2,4,6' ? true : `got ${d.join()}`)),
  },
  {
    area, name: 'minimize.params holding only an input tensor (x)',
    run: (ctx) => compileWith(ctx, (g, w0) => {
      const x = g.input('x', [2, 2]);
      const loss = w0.mul(x).sum();
      return { outputs: { loss }, minimize: { loss, params: [x] } };
    }),
    expect: err(sn.SinapsisError, word('x'), 'param'),
  },
];

export default cases;
