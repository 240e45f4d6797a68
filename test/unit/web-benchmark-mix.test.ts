import { expect } from 'chai';
import { expectedShares, pickWeighted, queueUrl, ROLE_ACTIONS } from '../../bench/web-mix.ts';
import { parseOptions } from '../../bench/web.ts';

/** An even spread over [0, 1): `n` draws that hit every weight in proportion. */
function evenDraws(n: number): () => number {
  let i = 0;
  return () => ((i++ % n) + 0.5) / n;
}

describe('the web benchmark mix (bench/web-mix.ts)', () => {
  it('is about half queue, a third consultation pages and a few calendar feeds, as issue 15 sets it', () => {
    const shares = expectedShares();
    expect(shares.queue).to.be.within(0.45, 0.55);
    expect(shares.consultation).to.be.within(0.28, 0.4);
    expect(shares.calendar).to.be.within(0.03, 0.07);
    for (const type of ['overview', 'draft', 'transition'] as const) expect(shares[type], type).to.be.above(0.005);
    expect(Object.values(shares).reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-9);
  });

  it('gives writes only to secretaries and chairs, and the overview only to staff and admins', () => {
    const doing = (action: string) =>
      Object.entries(ROLE_ACTIONS)
        .filter(([, actions]) => action in actions)
        .map(([role]) => role)
        .sort();
    expect(doing('write')).to.deep.equal(['chair', 'secretary']);
    expect(doing('overview')).to.deep.equal(['admin', 'staff']);
  });

  it('picks each key in proportion to its weight', () => {
    const random = evenDraws(1000);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1000; i++) counts[pickWeighted({ a: 1, b: 3, c: 6 }, random)]++;
    expect(counts).to.deep.equal({ a: 100, b: 300, c: 600 });
  });

  it('filters the queue only by councils the person sits on', () => {
    const random = evenDraws(997);
    for (let i = 0; i < 2000; i++) {
      const council = new URL(queueUrl(['web-007', 'web-008'], random), 'http://x').searchParams.get('council');
      if (council !== null) expect(council).to.be.oneOf(['web-007', 'web-008']);
    }
  });

  it('reads --sizes with k and m suffixes, smallest first, and refuses what it cannot read', () => {
    expect(parseOptions(['--sizes', '1m,10k,100k', '--profile'])).to.deep.equal({ sizes: [10_000, 100_000, 1_000_000], profile: true });
    expect(() => parseOptions(['--sizes', 'ten'])).to.throw(/cannot read/);
  });
});
