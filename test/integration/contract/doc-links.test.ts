import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// Every link in the repository's Markdown resolves inside the repository: a clone is all a reader
// has (the shared contract and architecture notes the project started from are not in it).
const root = resolve(__dirname, '../../..');
const markdown = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && existsSync(join(root, f)) && !f.startsWith('node_modules/'));

/** GitHub's heading anchors (lower case, punctuation dropped, spaces to hyphens) and explicit `<a id>`s. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    for (const [, id] of line.matchAll(/<a (?:id|name)="([^"]+)"/g)) anchors.add(id);
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

function linksOf(text: string): string[] {
  const withoutCode = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

describe('links in the Markdown files', () => {
  it('finds the Markdown files', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/protocol.md', 'docs/architecture.md']));
  });

  it.each(markdown)('%s links only to files (and headings) inside the repository', (file) => {
    const problems: string[] = [];
    for (const link of linksOf(readFileSync(join(root, file), 'utf8'))) {
      if (/^(https?:|mailto:)/.test(link)) continue;
      const [path, anchor] = link.split('#');
      const target = path ? resolve(root, dirname(file), decodeURIComponent(path)) : join(root, file);
      if (relative(root, target).startsWith('..')) problems.push(`${link}: outside the repository`);
      else if (!existsSync(target)) problems.push(`${link}: no such file`);
      else if (anchor && target.endsWith('.md') && statSync(target).isFile() && !anchorsOf(target).has(anchor)) problems.push(`${link}: no such heading`);
    }
    expect(problems).toEqual([]);
  });
});
