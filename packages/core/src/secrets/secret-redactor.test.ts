import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileRunStore, createRunRedactor, redactJson, runSecretValues } from '../index';
import { createSecretRedactor } from '@qoder-orch/spec';
import { redactingRunStore } from '../run-store/redacting-run-store';
import { sampleRunState } from '../test/index';

const HOSTILE = 'pa"ss\\wörd✓-7f3a9c';

/** Every encoded form a test looks for: raw, JSON-escaped, base64, URL-encoded, HTML-escaped. */
function forms(value: string): string[] {
  return [value, JSON.stringify(value).slice(1, -1), Buffer.from(value).toString('base64'), encodeURIComponent(value), value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;'), Buffer.from(value).toString('hex')];
}

describe('createSecretRedactor', () => {
  it('redacts a value with quotes, a backslash and non-ASCII in raw text, JSON text, URLs, HTML, base64 (any alignment) and hex', () => {
    const redactor = createSecretRedactor([HOSTILE]);
    for (const form of forms(HOSTILE)) {
      const redacted = redactor.text(`before ${form} after`);
      expect(redacted, form).toContain('[REDACTED]');
      expect(redacted, form).not.toContain(form);
      // Only base64 keeps a character or two of the last, partly filled group (and its padding).
      if (!form.endsWith('=')) expect(redacted, form).toBe('before [REDACTED] after');
    }
    // Inside a longer base64 blob, at each byte offset.
    for (const prefix of ['', 'x', 'xy', 'xyz']) {
      const blob = Buffer.from(`${prefix}${HOSTILE}tail`).toString('base64');
      expect(redactor.isLeaking(blob), prefix).toBe(true);
      expect(redactor.text(blob)).toContain('[REDACTED]');
    }
    // An agent's text embedding a JSON document, serialised again (escaped twice).
    const nested = JSON.stringify({ text: JSON.stringify({ key: HOSTILE }) });
    expect(redactor.text(nested)).not.toContain('ss\\');
    expect(redactor.isLeaking(redactor.text(nested))).toBe(false);
  });

  it('walks structures before they are serialised: strings and keys, at any depth; other values kept', () => {
    const redactor = createSecretRedactor([HOSTILE]);
    const value = { [HOSTILE]: 1, list: [`a ${HOSTILE}`, 2, null, { deep: HOSTILE, flag: true }], kept: 'plain', missing: undefined };
    const redacted = redactor.value(value);
    expect(redacted).toEqual({ '[REDACTED]': 1, list: ['a [REDACTED]', 2, null, { deep: '[REDACTED]', flag: true }], kept: 'plain', missing: undefined });
    expect(value.list[0]).toBe(`a ${HOSTILE}`);
    const serialised = JSON.stringify(redacted);
    for (const form of forms(HOSTILE)) expect(serialised).not.toContain(form);
    // The old way (searching JSON text for the raw value) missed it; redactJson does not.
    expect(JSON.stringify(redactJson({ summary: `key ${HOSTILE}` }, [HOSTILE]))).toBe('{"summary":"key [REDACTED]"}');
  });

  it('ignores values too short to be secrets, and hides a value that looks like an escape sequence in its JSON form', () => {
    const redactor = createSecretRedactor(['abc', 'x\\"yz\\"12']);
    expect(redactor.text('abc abc')).toBe('abc abc');
    // The string x"yz"12 serialises to the secret itself.
    expect(redactor.text(JSON.stringify('x"yz"12'))).toBe('"[REDACTED]"');
  });

  it("collects the environment's secret-named values, URL passwords and the project's dotenv secrets (quoted, escaped, several files; templates skipped)", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-secrets-'));
    try {
      await writeFile(join(directory, '.env'), 'DATABASE_URL=postgres://app:Db%22pass-91@db/app\nNODE_ENV=development\n');
      await writeFile(join(directory, '.env.local'), `STRIPE_SECRET_KEY='${HOSTILE}'\nexport SESSION_TOKEN="tok\\"en-\\\\ü-4411"\n`);
      await writeFile(join(directory, '.env.example'), 'STRIPE_SECRET_KEY=your-key-here\n');
      const values = runSecretValues({ projectDir: directory, env: { QODER_PERSONAL_ACCESS_TOKEN: 'qpat-1234567890', GIT_AUTHOR_EMAIL: 'someone@example.com', HOME: '/root' }, extra: ['extra-value-1'] });
      expect(values).toEqual(expect.arrayContaining(['qpat-1234567890', HOSTILE, 'tok"en-\\ü-4411', 'tok\\"en-\\\\ü-4411', 'Db%22pass-91', 'Db"pass-91', 'extra-value-1']));
      expect(values).not.toContain('your-key-here');
      expect(values).not.toContain('development');
      expect(values).not.toContain('someone@example.com');
      const redactor = createRunRedactor({ projectDir: directory, env: {} });
      expect(redactor.text(`echo ${HOSTILE}`)).toBe('echo [REDACTED]');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('redactingRunStore', () => {
  it('writes no secret into state, events, plan or artifacts, whatever the encoding in the input', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'qoder-orch-secrets-store-'));
    try {
      const inner = new FileRunStore({ directory });
      const store = redactingRunStore(inner, createSecretRedactor([HOSTILE]));
      const state = { ...sampleRunState('run-1'), objective: `use ${HOSTILE}` };
      await store.createRun(state);
      await store.writeState(state);
      await store.appendEvent('run-1', { type: 'warning', runId: 'run-1', seq: 1, timestamp: '2026-01-01T00:00:00.000Z', code: 'X', message: HOSTILE });
      await store.writePlan('run-1', { objective: HOSTILE, summary: JSON.stringify({ key: HOSTILE }), tasks: [] } as never);
      await store.writeArtifact('run-1', 'report.html', `<p>${forms(HOSTILE)[4]}</p>`);
      await store.writeArtifact('run-1', 'bytes.txt', new TextEncoder().encode(HOSTILE));
      await store.appendArtifact('run-1', 'tasks/t.log', `output ${Buffer.from(HOSTILE).toString('base64')}\n`);
      await store.flush();
      const texts = [
        JSON.stringify(await inner.readState('run-1')),
        JSON.stringify(await inner.readEvents('run-1')),
        (await inner.readArtifact('run-1', 'plan.json'))!,
        (await inner.readArtifact('run-1', 'report.html'))!,
        (await inner.readArtifact('run-1', 'bytes.txt'))!,
        (await inner.readArtifact('run-1', 'tasks/t.log'))!,
      ];
      for (const text of texts) {
        expect(text).toContain('[REDACTED]');
        for (const form of forms(HOSTILE)) expect(text).not.toContain(form);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
