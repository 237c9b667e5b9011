import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** A comma-separated environment value as a list (for `@Transform(commaList)`). */
export const commaList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/**
 * Builds a config class from an environment and validates it: only the class's settings are read
 * (those with a default, plus `optionalKeys`, which have none and so are no own keys of a fresh
 * instance), and an empty value counts as unset, so `FOO= npm start` falls back to the default.
 * Returns every violated rule, for one start-up error that lists them all.
 */
export function readEnvConfig<T extends object>(
  type: ClassConstructor<T>,
  env: Record<string, string | undefined>,
  optionalKeys: readonly string[],
): { config: T; problems: string[] } {
  const known = new Set<string>([...Object.keys(new type()), ...optionalKeys]);
  const plain = Object.fromEntries(Object.entries(env).filter(([k, v]) => known.has(k) && v !== undefined && v !== ''));
  const config = plainToInstance(type, plain, { exposeDefaultValues: true });
  const problems = validateSync(config, { forbidUnknownValues: false }).flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`));
  return { config, problems };
}
