import { describe, expect, it } from 'vitest';
import { joinRoutePaths, matchRoutePaths, normaliseRoutePath, touchesApiSurface } from './index';

describe('normaliseRoutePath', () => {
  it.each([
    ['/users/${id}', '/users/{id}'],
    ['/users/${user.id}/posts', '/users/{id}/posts'],
    ['/users/:id', '/users/{id}'],
    ['/users/:id?', '/users/{id}'],
    ['/files/:path*', '/files/{path*}'],
    ['/users/{id}', '/users/{id}'],
    ['/users/[id]', '/users/{id}'],
    ['/docs/[...slug]', '/docs/{slug*}'],
    ['/docs/[[...slug]]', '/docs/{slug*?}'],
    ['/notes/<int:note_id>', '/notes/{note_id}'],
    ['/static/<path:rest>', '/static/{rest*}'],
    ['/files/{name:path}', '/files/{name*}'],
    ['/users/user-${id}', '/users/{id}'],
    ['users//list/', '/users/list'],
    ['/search?q=${query}#top', '/search'],
    ['', '/'],
  ])('%s → %s', (raw, normalised) => {
    expect(normaliseRoutePath(raw)).toBe(normalised);
  });
});

describe('matchRoutePaths', () => {
  it('matches parameters regardless of their names and syntax', () => {
    expect(matchRoutePaths(normaliseRoutePath('/users/${id}'), normaliseRoutePath('/users/:userId'))).toBe('exact');
    expect(matchRoutePaths('/users/{id}', '/users/{id}/posts')).toBe('none');
    expect(matchRoutePaths('/Users', '/users')).toBe('exact');
  });

  it('tells a concrete value for a parameter from a parameter for a fixed segment', () => {
    expect(matchRoutePaths('/users/me', '/users/{id}')).toBe('value');
    expect(matchRoutePaths('/users/{id}', '/users/me')).toBe('param');
    expect(matchRoutePaths('/users/me', '/users/you')).toBe('none');
  });

  it('lets catch-alls take one or more segments (optional ones also none)', () => {
    expect(matchRoutePaths('/files/a/b/c', '/files/{path*}')).toBe('value');
    expect(matchRoutePaths('/files', '/files/{path*}')).toBe('none');
    expect(matchRoutePaths('/docs', '/docs/{slug*?}')).toBe('value');
  });
});

describe('joinRoutePaths', () => {
  it('joins prefixes without doubling or losing slashes', () => {
    expect(joinRoutePaths('/api/', '/users')).toBe('/api/users');
    expect(joinRoutePaths('', 'users', '')).toBe('/users');
    expect(joinRoutePaths()).toBe('/');
  });
});

describe('touchesApiSurface', () => {
  it('is true for the contract and for code an extractor reads, false for the rest', () => {
    expect(touchesApiSurface(['docs/openapi.yaml'])).toBe(true);
    expect(touchesApiSurface(['contracts/api.yml'], { contractPath: './contracts/api.yml' })).toBe(true);
    expect(touchesApiSurface(['server/src/routes/users.ts'])).toBe(true);
    expect(touchesApiSurface(['backend/app/main.py'])).toBe(true);
    expect(touchesApiSurface(['web/src/components/List.vue'])).toBe(true);
    expect(touchesApiSurface(['README.md', 'styles/main.css', 'src/users.test.ts', 'node_modules/x/index.js', '.github/workflows/ci.js'])).toBe(false);
    expect(touchesApiSurface([])).toBe(false);
  });
});
