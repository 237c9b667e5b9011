// The WCAG 2.2 AA audit of a page as it is shown now (hover, focus and open confirmations included),
// by axe-core through its Playwright binding.
import AxeBuilder from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { Page } from 'playwright-core';

/** WCAG 2.0, 2.1 and 2.2 at levels A and AA: what the product promises. */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * axe leaves text whose colour equals its background as "needs review" (it may be deliberately
 * hidden), but nothing in this app hides text that way: a 1:1 ratio is a button nobody can see.
 */
function invisibleText(incomplete: Result[]): Result[] {
  return incomplete
    .filter((r) => r.id === 'color-contrast')
    .map((r) => ({ ...r, nodes: r.nodes.filter((n) => n.any.some((c) => (c.data as { messageKey?: string } | null)?.messageKey === 'equalRatio')) }))
    .filter((r) => r.nodes.length > 0);
}

/**
 * The rule broken on each offending element, one line per element, readable in a failed expectation:
 * `room (light, 1280 px): color-contrast: .link-button[data-testid="edit"]: … contrast of 1.77 …`.
 */
export async function auditPage(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_AA_TAGS).analyze();
  return [...result.violations, ...invisibleText(result.incomplete)].flatMap((v) =>
    v.nodes.map((n) => `${where}: ${v.id}: ${n.target.join(' ')}: ${(n.failureSummary ?? v.help).replace(/\s+/g, ' ').trim()}`),
  );
}
