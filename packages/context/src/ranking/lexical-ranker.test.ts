import { describe, expect, test } from 'vitest';
import { createLexicalRanker, lexicalTerms } from '../index';

describe('createLexicalRanker (BM25)', () => {
  const documents = [
    { id: 'auth', text: 'Users login with a password; the session token expires after one hour.' },
    { id: 'payments', text: 'Checkout creates an invoice; payment retries after a timeout.' },
    { id: 'database', text: 'Every schema change is a migration. Run migrations before tests.' },
  ];

  test('ranks the document that shares the rare query terms first and leaves out documents with none', () => {
    const ranker = createLexicalRanker();
    ranker.index(documents);
    const found = ranker.search('How long does a session token last after login?', 5);
    expect(found.map((match) => match.id)).toEqual(['auth']);
    expect(ranker.search('migration for the schema', 5)[0]?.id).toBe('database');
    expect(ranker.search('the of and', 5)).toEqual([]);
  });

  test('scores match the BM25 formula computed by hand', () => {
    const ranker = createLexicalRanker();
    ranker.index([
      { id: 'one', text: 'alpha beta' },
      { id: 'two', text: 'gamma delta' },
    ]);
    // N = 2, n(alpha) = 1 → idf = ln(1 + 1.5 / 1.5) = ln 2; tf = 1, |d| = avgdl = 2 → tf part = 2.2 / 2.2 = 1.
    expect(ranker.search('alpha', 2)).toEqual([{ id: 'one', score: expect.closeTo(Math.log(2), 10) }]);
    expect(ranker.scoreText('alpha', 'alpha beta')).toBeCloseTo(Math.log(2), 10);
  });

  test('terms split camelCase, snake_case and kebab-case and keep the whole word', () => {
    expect(lexicalTerms('refreshToken user_id front-end The')).toEqual(['refreshtoken', 'refresh', 'token', 'user_id', 'user', 'id', 'front-end', 'front', 'end']);
  });
});
