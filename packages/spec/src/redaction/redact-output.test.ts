import { describe, expect, it } from 'vitest';
import { redactOutput, secretValuesFrom } from '../index';

describe('secretValuesFrom', () => {
  it("hides every extra variable's value but the slot's ports, which are no secret", () => {
    const extra = { PORT: '41000', QODER_ORCH_PORT_RANGE: '41000-41009', QODER_ORCH_SLOT: '3', DATABASE_URL: 'postgres://app:hunter22@db/app', SESSION: 'opaque-session-value' };

    const values = secretValuesFrom({}, extra);

    expect(values).toContain('opaque-session-value');
    expect(values).toContain('postgres://app:hunter22@db/app');
    expect(values).not.toContain('41000-41009');
    expect(values).not.toContain('41000');
    expect(redactOutput('listening on 41000, range 41000-41009, session opaque-session-value', values)).toBe('listening on 41000, range 41000-41009, session [REDACTED]');
  });
});
