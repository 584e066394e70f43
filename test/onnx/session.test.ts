import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession, modelHostSlots, startModelHost, stopModelRuns, tensor, useParentDeathSignal, useSlotFolders } from '../../src/onnx/session.js';
import { FLOAT, model, node, valueInfo } from '../onnx-builder.js';

/** ONNX's element type of strings */
const STRING = 8;

const ROOT = join(import.meta.dirname, '..', '..');

/** The breast-cancer fixture's model (scikit-learn's export) on its hold-out's 30 feature columns, in batches of `rows` (the rows repeated). */
async function breastCancerScores(rows: number): Promise<unknown[][]> {
  const lines = readFileSync(join(ROOT, 'fixtures', 'breast-cancer', 'holdout.csv'), 'utf8').trim().split('\n').slice(1);
  const x = new Float32Array(rows * 30);
  for (let r = 0; r < rows; r++) x.set(lines[r % lines.length]!.split(',').slice(0, 30).map(Number), r * 30);
  const session = await createSession(readFileSync(join(ROOT, 'fixtures', 'breast-cancer', 'model.onnx')), 'model.onnx');
  const outs = await session.run({ [session.inputNames[0]!]: tensor('float32', x, [rows, 30]) });
  await session.release();
  return session.outputNames.map((n) => Array.from(outs[n]!.data as ArrayLike<unknown>));
}

/** The environment of this process's model host (a child of ours running host-child), as NAME=value strings. */
function hostEnvironment(): string[] {
  const host = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .find((p) => {
      try {
        return readFileSync(`/proc/${p}/status`, 'utf8').includes(`\nPPid:\t${process.pid}\n`) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('host-child');
      } catch {
        return false;
      }
    });
  expect(host).toBeDefined();
  return readFileSync(`/proc/${host}/environ`, 'utf8').split('\0');
}

describe('model host: ModelSession.run', () => {
  // The evaluation refills one array per input batch after batch as soon as `run` returns
  // (predict.ts, reused): a run must have copied its feeds by then, through a slot (large
  // tensors), in the message (small ones) or when every slot is taken.
  it('copies its feeds before it returns: arrays refilled at once do not change the outputs', async () => {
    const identity = model([node('Identity', ['x'], ['y'])], [valueInfo('x', FLOAT, ['N', 4])], [valueInfo('y', FLOAT, ['N', 4])]);
    const session = await createSession(identity, 'identity.onnx');
    const runs: Promise<unknown>[] = [];
    const want: number[] = [];
    // 40 runs in flight (more than the host's 24 slots), large and small, all from one array
    const big = new Float32Array(65_536);
    for (let r = 0; r < 40; r++) {
      const rows = r % 2 ? 16_384 : 3;
      const data = big.subarray(0, rows * 4).fill(r + 1);
      runs.push(session.run({ x: tensor('float32', data, [rows, 4]) }, ['y']).then((out) => out.y!.data));
      data.fill(-1);
      want.push(r + 1);
    }
    const outs = (await Promise.all(runs)) as Float32Array[];
    outs.forEach((y, r) => {
      expect(y.length).toBe((r % 2 ? 16_384 : 3) * 4);
      expect(y.every((v) => v === want[r])).toBe(true);
    });
    await session.release();
  });

  // A read-only /dev/shm and temporary folder (a locked-down container): the host then makes no slot
  // files and every tensor, large or small, goes through the IPC channel. test/hostile.test.ts makes
  // that machine for real where a mount namespace is permitted; this runs everywhere.
  it('with no folder to make slot files in, tensors go through the IPC channel with the same results', async () => {
    const bigBatch = 40_000; // ~4.8 MB of feeds: a slot's work when there are slots
    stopModelRuns('test: a fresh host');
    startModelHost();
    expect(modelHostSlots()).toBeGreaterThan(0);
    const withSlots = await breastCancerScores(bigBatch);
    stopModelRuns('test: a host without slots');
    useSlotFolders(['/proc']);
    try {
      startModelHost();
      expect(modelHostSlots()).toBe(0);
      const throughIpc = await breastCancerScores(bigBatch);
      expect(throughIpc.length).toBe(withSlots.length);
      // Object.is: the same numbers to the last bit (toEqual would take -0 for 0)
      throughIpc.forEach((out, i) => expect(out.every((v, r) => Object.is(v, withSlots[i]![r]))).toBe(true));
      expect(withSlots[0]!.length).toBeGreaterThanOrEqual(bigBatch);
    } finally {
      useSlotFolders(undefined);
      stopModelRuns('test: slots again');
    }
  });

  it('the host starts without NODE_EXTRA_CA_CERTS (read and parsed at every process start; no connection is made), with the rest of the environment', async (test) => {
    if (!existsSync('/proc/self/environ')) return test.skip('no /proc here to read the host process environment from');
    const before = { ...process.env };
    process.env.NODE_EXTRA_CA_CERTS = '/etc/ssl/certs/ca-certificates.crt';
    process.env.DEPLOY_CHECK_TEST_MARK = 'kept';
    stopModelRuns('test: a fresh host');
    try {
      startModelHost();
      await breastCancerScores(8);
      const env = hostEnvironment();
      expect(env).toContain('DEPLOY_CHECK_TEST_MARK=kept');
      expect(env.filter((e) => e.startsWith('NODE_EXTRA_CA_CERTS='))).toEqual([]);
    } finally {
      process.env = before;
      stopModelRuns('test: the environment again');
    }
  });

  // session.ts starts the host through setpriv --pdeathsig when the setpriv program names the option
  // (read from the file, not run: takesParentDeathSignal), and again without it should one that
  // names it end with exit code 1 before the host answers (setpriv refusing an option it lacks).
  // Each case a setpriv of our own: `shim` runs the command after its two options, as setpriv does.
  it('setpriv: used when it names --pdeathsig, not when it does not, and a host it fails to start is started again without it', async (test) => {
    if (!existsSync('/proc/self/environ')) return test.skip('no /proc here to read the host process environment from');
    const dir = mkdtempSync(join(tmpdir(), 'dc-setpriv-'));
    const fake = (name: string, body: string) => {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      return join(dir, name);
    };
    const shim = 'shift 2\nexec "$@"';
    const cases = [
      { setpriv: fake('names-it', `# takes --pdeathsig\n${shim}`), endsWithParent: true },
      { setpriv: fake('does-not', shim), endsWithParent: false },
      { setpriv: fake('refuses-it', '# unrecognized option --pdeathsig\nexit 1'), endsWithParent: false },
    ];
    const want = await breastCancerScores(8);
    try {
      for (const c of cases) {
        stopModelRuns('test: a fresh host');
        useParentDeathSignal(c.setpriv);
        startModelHost();
        // requests sent before the host answers: the one that fails to start has them sent again
        const [a, b] = await Promise.all([breastCancerScores(8), breastCancerScores(8)]);
        expect(a).toEqual(want);
        expect(b).toEqual(want);
        expect(hostEnvironment().includes('DEPLOY_CHECK_HOST_ENDS_WITH_PARENT=1'), c.setpriv).toBe(c.endsWithParent);
      }
    } finally {
      useParentDeathSignal(true);
      stopModelRuns('test: setpriv again');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A host that starts (it says so before loading onnxruntime: host-started.ts) and then fails before
  // answering is the host's own failure, not setpriv refusing its options: it is not started again
  // without setpriv (which would print its error twice, and hide it here behind a second host that works)
  it('setpriv: a host that started and then failed before answering (onnxruntime not loading) is not started again; the request says the host ended', async (test) => {
    if (!existsSync('/proc/self/environ')) return test.skip('no /proc here to read the host process environment from');
    const dir = mkdtempSync(join(tmpdir(), 'dc-setpriv-'));
    writeFileSync(join(dir, 'no-ort.cjs'), `const M = require('node:module');\nconst load = M._load;\nM._load = function (request, ...rest) {\n  if (request === 'onnxruntime-node') throw new Error('test: onnxruntime cannot load');\n  return load.call(this, request, ...rest);\n};\n`);
    // names --pdeathsig, takes it, and runs the host with onnxruntime made to fail (its error out of the test's output)
    writeFileSync(join(dir, 'setpriv'), `#!/bin/sh\n# takes --pdeathsig\nshift 2\nnode="$1"\nshift\nexec "$node" -r ${join(dir, 'no-ort.cjs')} "$@" 2>/dev/null\n`, { mode: 0o755 });
    try {
      stopModelRuns('test: a fresh host');
      useParentDeathSignal(join(dir, 'setpriv'));
      startModelHost();
      await expect(breastCancerScores(8)).rejects.toThrow(/the model host ended \(exit code 1\)/);
    } finally {
      useParentDeathSignal(true);
      stopModelRuns('test: setpriv again');
      rmSync(dir, { recursive: true, force: true });
    }
    // the next run starts a host that works
    expect((await breastCancerScores(8)).length).toBeGreaterThan(0);
  });

  // String tensors cross as their distinct strings and an index an element (host-protocol.ts): the
  // host must rebuild every element, in order, both ways
  it('string tensors both ways: every element back in place, repeats, empty strings, other scripts, a large batch', async () => {
    const identity = model([node('Identity', ['x'], ['y'])], [valueInfo('x', STRING, ['N', 2])], [valueInfo('y', STRING, ['N', 2])]);
    const session = await createSession(identity, 'strings.onnx');
    const words = ['Biscoe', '', 'Dream', 'Torgersen', 'straße', '企鹅', 'a,b', ' Biscoe'];
    for (const rows of [1, 3, 50_000]) {
      const data = Array.from({ length: rows * 2 }, (_, i) => words[(i * 7 + (i >> 3)) % words.length]!);
      const out = await session.run({ x: tensor('string', data, [rows, 2]) }, ['y']);
      expect(out.y!.dims).toEqual([rows, 2]);
      expect(out.y!.data).toEqual(data);
    }
    await session.release();
  });
});

