// lateHandle (src/shared/lateHandle.ts): the handle the tree and the panels get for a watch that starts later.
import assert from 'node:assert/strict';
import { lateHandle } from '../../src/shared/lateHandle';

function thing() {
  const t = {
    disposed: 0,
    dispose: () => {
      t.disposed++;
    },
  };
  return t;
}

describe('lateHandle', () => {
  it('disposing after the thing arrived disposes it once', async () => {
    const t = thing();
    const h = lateHandle(Promise.resolve(t), () => assert.fail('no error expected'));
    await Promise.resolve();
    assert.equal(t.disposed, 0);
    h.dispose();
    assert.equal(t.disposed, 1);
  });

  it('disposing before it arrived disposes it as soon as it does', async () => {
    const t = thing();
    let arrive!: (v: typeof t) => void;
    const h = lateHandle(
      new Promise((r) => {
        arrive = r;
      }),
      () => assert.fail('no error expected'),
    );
    h.dispose();
    arrive(t);
    await new Promise((r) => setImmediate(r));
    assert.equal(t.disposed, 1);
  });

  it('a failure goes to onError, and disposing the handle then is harmless', async () => {
    const errors: unknown[] = [];
    const h = lateHandle(Promise.reject(new Error('forbidden')), (err) => errors.push(err));
    await new Promise((r) => setImmediate(r));
    assert.equal((errors[0] as Error).message, 'forbidden');
    h.dispose();
  });
});
