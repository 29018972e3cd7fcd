import { describe, expect, it } from 'vitest';
import { type ContractReport, type ContractVerifier, mayTouchApiSurface } from '../index';

const report: ContractReport = { contract: [], backend: [], frontend: [], findings: [], isPassed: true };

describe('mayTouchApiSurface', () => {
  it('asks the verifier when it can say, else guesses from file names', () => {
    const bare: ContractVerifier = { verify: async () => report };
    expect(mayTouchApiSurface(bare, ['README.md', 'docs/guide.md'])).toBe(false);
    expect(mayTouchApiSurface(bare, ['server/routes.ts'])).toBe(true);
    expect(mayTouchApiSurface(bare, ['api/openapi.yaml'])).toBe(true);
    expect(mayTouchApiSurface(bare, ['node_modules/x/index.js', '.github/a.js'])).toBe(false);
    const picky: ContractVerifier = { verify: async () => report, touchesApiSurface: (files) => files.includes('README.md') };
    expect(mayTouchApiSurface(picky, ['README.md'])).toBe(true);
    expect(mayTouchApiSurface(picky, ['server/routes.ts'])).toBe(false);
  });
});
