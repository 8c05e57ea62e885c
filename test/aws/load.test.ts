import { describe, expect, it } from 'vitest';
import { loadedOnce } from '../../lib/aws';

describe('loadedOnce', () => {
  it('loads on the first call only, and every call gets that module', async () => {
    let loads = 0;
    const load = loadedOnce(async () => ({ module: ++loads }));
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([load(), load()]);
    expect(await load()).toBe(a);
    expect(b).toBe(a);
    expect(loads).toBe(1);
  });

  it('does not keep a failed load: the next call tries again', async () => {
    let loads = 0;
    const load = loadedOnce(async () => {
      loads++;
      if (loads === 1) throw new Error('not yet');
      return 'module';
    });
    await expect(load()).rejects.toThrow('not yet');
    expect(await load()).toBe('module');
    expect(await load()).toBe('module');
    expect(loads).toBe(2);
  });
});
