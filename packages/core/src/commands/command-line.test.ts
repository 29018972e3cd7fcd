import { describe, expect, it } from 'vitest';
import { commandArgv, splitCommandLine } from './command-line';

describe('splitCommandLine', () => {
  it('splits words on spaces, keeps quoted spaces, applies escapes', () => {
    expect(splitCommandLine('npm ci  --offline')).toEqual(['npm', 'ci', '--offline']);
    expect(splitCommandLine(`node scripts/seed.js "a b" 'c "d"' e\\ f ''`)).toEqual(['node', 'scripts/seed.js', 'a b', 'c "d"', 'e f', '']);
  });

  it('refuses shell syntax and unclosed quotes instead of running something else', () => {
    expect(splitCommandLine('npm ci && npm run build')).toEqual({ error: expect.stringContaining('"&" is shell syntax') });
    expect(splitCommandLine('echo $HOME')).toEqual({ error: expect.stringContaining('"$"') });
    expect(splitCommandLine('echo "unclosed')).toEqual({ error: 'a " quote is not closed' });
    expect(splitCommandLine('   ')).toEqual({ error: 'the command is empty' });
    // Quoted, the same characters are plain arguments.
    expect(splitCommandLine("grep 'a|b' file")).toEqual(['grep', 'a|b', 'file']);
  });

  it('takes an argument vector as it is', () => {
    expect(commandArgv(['make', 'a && b'])).toEqual(['make', 'a && b']);
    expect(() => commandArgv('a | b')).toThrow(RangeError);
  });
});
