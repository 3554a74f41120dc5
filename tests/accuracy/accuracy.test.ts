// The accuracy ratchet on the recorded scenarios (tests/fixtures/accuracy: real PostgreSQL 15 and ORM logs with
// ground truth, see its README). Improve detection, then `npm run accuracy` raises the baseline.
import { describe, it } from 'vitest';
import { expectNoWorseThanBaseline } from './ratchet.js';

describe('accuracy on the recorded scenarios', () => {
  it('recall and false findings are no worse than tests/fixtures/accuracy/baseline.json', async () => {
    // about 35 s of CPU; the timeout is generous so a loaded machine slows it but cannot fail it
    await expectNoWorseThanBaseline('tests/fixtures/accuracy', 290_000);
  }, 300_000);
});
