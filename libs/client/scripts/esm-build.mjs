// Compiles TypeScript sources of this repo into a self-contained ES module tree: tsc emits JS and
// .d.ts, then every import specifier is rewritten so the tree runs on Node and in browsers without
// the repo around it: path aliases (`@app/shared`, `@app/client`) become relative paths to copies
// inside the tree, and extensionless relative imports get their `.js`. The SDK package and the
// `rooms` CLI are both built with it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';

export const REPO_ROOT = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');

/** Repo-relative source folders the aliases point at. */
const ALIASES = {
  '@app/shared': 'libs/shared/src',
  '@app/client': 'libs/client/src',
};

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const toPosix = (p) => p.split(sep).join('/');

/**
 * Newest modification time (ms) of the files under the given repo-relative paths; 0 when none exist.
 * Used to decide whether a build is out of date.
 */
export function newestMtime(paths) {
  let newest = 0;
  for (const p of paths) {
    const abs = join(REPO_ROOT, p);
    if (!existsSync(abs)) continue;
    const files = statSync(abs).isDirectory() ? walk(abs) : [abs];
    for (const f of files) newest = Math.max(newest, statSync(f).mtimeMs);
  }
  return newest;
}

/**
 * @param {object} options
 * @param {string} options.tsconfig repo-relative tsconfig to compile (its rootDir must be the repo root)
 * @param {string} options.outDir repo-relative output folder; replaced as a whole when the build succeeds
 * @param {Array<[string, string]>} options.mounts [repo-relative source folder, folder inside outDir]; files outside every mount are left out
 * @param {boolean} [options.quiet]
 */
export function buildEsm({ tsconfig, outDir, mounts, quiet = false }) {
  const tsc = createRequire(join(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc');
  const tmp = mkdtempSync(join(tmpdir(), 'esm-build-'));
  try {
    const r = spawnSync(process.execPath, [tsc, '-p', join(REPO_ROOT, tsconfig), '--outDir', tmp], {
      cwd: REPO_ROOT,
      stdio: quiet ? 'pipe' : 'inherit',
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`tsc -p ${tsconfig} failed${quiet ? `:\n${r.stdout}${r.stderr}` : ''}`);

    const mountOf = (repoRel) => {
      for (const [src, dest] of mounts) {
        if (repoRel === src || repoRel.startsWith(src + '/')) return posix.join(dest, repoRel.slice(src.length + 1));
      }
      return null;
    };
    const emitted = (repoRelNoExt) => {
      if (existsSync(join(tmp, repoRelNoExt + '.js'))) return repoRelNoExt + '.js';
      if (existsSync(join(tmp, repoRelNoExt, 'index.js'))) return posix.join(repoRelNoExt, 'index.js');
      return null;
    };

    const staging = join(REPO_ROOT, `${outDir}.tmp-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    for (const file of walk(tmp)) {
      const repoRel = toPosix(relative(tmp, file));
      if (!/\.(js|d\.ts)$/.test(repoRel)) continue;
      const outRel = mountOf(repoRel);
      if (outRel === null) continue;
      const rewrite = (spec) => {
        let target = null;
        for (const [alias, folder] of Object.entries(ALIASES)) {
          if (spec === alias) target = folder + '/index';
          else if (spec.startsWith(alias + '/')) target = folder + spec.slice(alias.length);
        }
        if (target === null && spec.startsWith('.')) target = posix.normalize(posix.join(posix.dirname(repoRel), spec));
        if (target === null) return spec;
        const targetFile = emitted(target);
        const targetOut = targetFile && mountOf(targetFile);
        if (!targetOut) throw new Error(`${repoRel}: cannot place import '${spec}' (${target}) inside the build`);
        const rel = posix.relative(posix.dirname(outRel), targetOut);
        return rel.startsWith('.') ? rel : `./${rel}`;
      };
      const text = readFileSync(file, 'utf8').replace(
        /((?:^|[\s;}])(?:import|export)\b[^'"]*?\bfrom\s*|(?:^|[\s;])import\s*|\bimport\(\s*)(['"])([^'"\n]+)\2/g,
        (_m, head, quote, spec) => `${head}${quote}${rewrite(spec)}${quote}`,
      );
      const dest = join(staging, outRel);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, text);
    }
    // The repo's own package.json files say nothing of module type (its TypeScript is compiled as
    // CommonJS); this tree is ES modules.
    writeFileSync(join(staging, 'package.json'), '{ "type": "module" }\n');
    const out = join(REPO_ROOT, outDir);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(dirname(out), { recursive: true });
    renameSync(staging, out);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
