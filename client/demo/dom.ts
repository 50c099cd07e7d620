/**
 * @module
 * Tiny DOM helpers of the demo pages.
 */

/** The element with `id`, of the expected type; throws if the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`demo page: missing #${id}`);
  return element as T;
}

/** Shows exactly one of `views`: the one whose id is `visible`. */
export function showOnly(views: readonly HTMLElement[], visible: HTMLElement): void {
  for (const view of views) view.hidden = view !== visible;
}
