// The held-out ratchet: the held-out batch (tests/fixtures/heldout: the accuracy design re-paired with other ORMs,
// connections, rhythms, loop sizes, seeds, pool and three log_line_prefixes the accuracy set does not use; see its
// README). It measures generalisation, so its baseline holds whatever the batch scored when first recorded, unseen;
// `npm run accuracy:heldout` prints the misses and raises the baseline. Never tune thresholds on it.
import { describe, it } from 'vitest';
import { expectNoWorseThanBaseline } from './ratchet.js';

describe('accuracy on the held-out batch', () => {
  it('recall and false findings are no worse than tests/fixtures/heldout/baseline.json', async () => {
    // about 30 s of CPU; generous so a loaded machine slows it but cannot fail it
    await expectNoWorseThanBaseline('tests/fixtures/heldout', 290_000);
  }, 300_000);
});
