import { parseArgs } from 'node:util';
import { positionalsAfterOptions } from './main';

describe('rooms command line', () => {
  const parse = (argv: string[]) =>
    parseArgs({ args: positionalsAfterOptions(argv), allowPositionals: true, options: { server: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });

  it('takes a room id that starts with a dash as the room, not as options', () => {
    expect(parse(['tail', '-bX3kq9Lr2bT0kZpW']).positionals).toEqual(['tail', '-bX3kq9Lr2bT0kZpW']);
    expect(parse(['chat', '--server', 'http://h:1', '-abc12345678']).values.server).toBe('http://h:1');
  });

  it('still reads its options anywhere', () => {
    const parsed = parse(['--server=http://h:2', 'login', 'Ada', '-h']);
    expect(parsed.values).toEqual({ server: 'http://h:2', help: true });
    expect(parsed.positionals).toEqual(['login', 'Ada']);
  });
});
