import { spawnSync } from 'node:child_process';

/**
 * A network namespace for one session server, joined to this host by two veth pairs: one that its
 * clients reach it through, one it reaches Redis and the backends through. Cutting the second
 * (`partition`) separates the server from Redis and the backends while its clients stay connected.
 * Needs root and `ip netns` (CI runs as root); `available()` says whether this machine has them.
 */
export class NetNamespace {
  /** The address clients connect to (inside the namespace). */
  readonly clientSideAddress: string;
  /** The host's address the namespace reaches Redis and the backends at. */
  readonly serviceHostAddress: string;
  private readonly hostServiceLink: string;

  private constructor(
    readonly name: string,
    subnet: number,
  ) {
    this.clientSideAddress = `10.231.${subnet}.2`;
    this.serviceHostAddress = `10.232.${subnet}.1`;
    this.hostServiceLink = `vb${subnet}h`;
  }

  static available(): boolean {
    if (process.getuid?.() !== 0) return false;
    const probe = `chaosprobe${process.pid}`;
    if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return false;
    spawnSync('ip', ['netns', 'del', probe]);
    return true;
  }

  static create(): NetNamespace {
    const subnet = 1 + (process.pid % 250);
    const ns = new NetNamespace(`chaos${process.pid}`, subnet);
    const commands: string[][] = [
      ['netns', 'add', ns.name],
      ['link', 'add', `va${subnet}h`, 'type', 'veth', 'peer', 'name', `va${subnet}n`],
      ['link', 'add', `vb${subnet}h`, 'type', 'veth', 'peer', 'name', `vb${subnet}n`],
      ['link', 'set', `va${subnet}n`, 'netns', ns.name],
      ['link', 'set', `vb${subnet}n`, 'netns', ns.name],
      ['addr', 'add', `10.231.${subnet}.1/30`, 'dev', `va${subnet}h`],
      ['addr', 'add', `10.232.${subnet}.1/30`, 'dev', `vb${subnet}h`],
      ['link', 'set', `va${subnet}h`, 'up'],
      ['link', 'set', `vb${subnet}h`, 'up'],
      ['netns', 'exec', ns.name, 'ip', 'addr', 'add', `10.231.${subnet}.2/30`, 'dev', `va${subnet}n`],
      ['netns', 'exec', ns.name, 'ip', 'addr', 'add', `10.232.${subnet}.2/30`, 'dev', `vb${subnet}n`],
      ['netns', 'exec', ns.name, 'ip', 'link', 'set', 'lo', 'up'],
      ['netns', 'exec', ns.name, 'ip', 'link', 'set', `va${subnet}n`, 'up'],
      ['netns', 'exec', ns.name, 'ip', 'link', 'set', `vb${subnet}n`, 'up'],
    ];
    try {
      for (const args of commands) run(args);
    } catch (err) {
      ns.destroy();
      throw err;
    }
    return ns;
  }

  /** The command prefix that runs a program inside the namespace. */
  exec(program: string, args: string[]): { command: string; args: string[] } {
    return { command: 'ip', args: ['netns', 'exec', this.name, program, ...args] };
  }

  /** Cuts the server off from Redis and the backends (its clients' link stays up). */
  partition(): void {
    run(['link', 'set', this.hostServiceLink, 'down']);
  }

  heal(): void {
    run(['link', 'set', this.hostServiceLink, 'up']);
  }

  destroy(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
    // The host ends of the veth pairs go with their peers; delete them in case they did not.
    const subnet = this.hostServiceLink.slice(2, -1);
    spawnSync('ip', ['link', 'del', `va${subnet}h`]);
    spawnSync('ip', ['link', 'del', `vb${subnet}h`]);
  }
}

function run(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
}
