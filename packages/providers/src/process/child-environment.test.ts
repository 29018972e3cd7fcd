import { describe, expect, it } from 'vitest';
import { buildChildEnvironment } from './child-environment';

describe('buildChildEnvironment', () => {
  const parent = {
    PATH: '/usr/bin',
    HOME: '/home/me',
    LC_ALL: 'C.UTF-8',
    HTTPS_PROXY: 'http://proxy:3128',
    ANTHROPIC_API_KEY: 'key-from-parent',
    GITHUB_TOKEN: 'ghp_not_for_the_agent',
    AWS_SECRET_ACCESS_KEY: 'not-for-claude-either',
    RANDOM_VARIABLE: 'x',
    UNSET: undefined,
  };

  it('passes the allow-list and the provider prefixes, nothing else', () => {
    const environment = buildChildEnvironment({ parent, providerPrefixes: ['ANTHROPIC_'] });
    expect(environment).toEqual({ PATH: '/usr/bin', HOME: '/home/me', LC_ALL: 'C.UTF-8', HTTPS_PROXY: 'http://proxy:3128', ANTHROPIC_API_KEY: 'key-from-parent' });
  });

  it('layers settings, then options, then the provider fixed variables', () => {
    const environment = buildChildEnvironment({
      parent,
      providerPrefixes: [],
      settingsEnv: { A: 'settings', B: 'settings' },
      optionsEnv: { B: 'options', C: 'options' },
      fixed: { C: 'fixed' },
    });
    expect(environment).toMatchObject({ A: 'settings', B: 'options', C: 'fixed' });
    expect(environment).not.toHaveProperty('ANTHROPIC_API_KEY');
  });
});
