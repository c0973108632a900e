import { describe, expect, it } from 'vitest';
import { busContract } from './contract.js';
import { MemoryHub, createMemoryBus } from './memory.js';
import { openBus } from './open.js';
import { isKizunaError } from '../util/errors.js';

busContract('memory', async () => {
  const hub = new MemoryHub();
  return { node: 'JPN', open: async () => createMemoryBus({ hub }), destroy: async () => undefined };
});

describe('openBus', () => {
  it('gives the in-process bus for no spec and refuses unknown schemes', async () => {
    const bus = await openBus(undefined, 'JPN');
    expect(bus.kind).toBe('memory');
    await bus.close();
    await expect(openBus('redis://x', 'JPN')).rejects.toSatisfy((e) => isKizunaError(e, 'CONFIG_INVALID'));
  });
});
