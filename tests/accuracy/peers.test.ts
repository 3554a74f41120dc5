// The peers ratchet: the recorded peers scenarios (tests/fixtures/peers: the N+1 shapes of Bullet's, Prosopite's
// and nplusone's test suites, re-run with ActiveRecord, SQLAlchemy and Django on PostgreSQL 15 at a test suite's data
// size, see its README). `npm run accuracy:peers` prints the misses and raises the baseline.
import { describe, it } from 'vitest';
import { expectNoWorseThanBaseline } from './ratchet.js';

describe('accuracy on the peers scenarios', () => {
  it('recall and false findings are no worse than tests/fixtures/peers/baseline.json', async () => {
    // about 15 s of CPU; generous so a loaded machine slows it but cannot fail it
    await expectNoWorseThanBaseline('tests/fixtures/peers', 170_000);
  }, 180_000);
});
