/**
 * What a page the service serves must never hold, whichever page it is: inline script or style,
 * event-handler attributes, `javascript:` URLs, HTML built from strings, or another origin. The
 * Content-Security-Policy forbids them too; these checks say which file broke the rule.
 */

/** Asserts the rules on a page's `html`, its `scripts` and `styles` (file name → text), loaded from `assetPrefix`. */
export function expectSelfContainedPage(html: string, assetPrefix: string, scripts: Record<string, string>, styles: Record<string, string>): void {
  const ownModule = new RegExp(`^<script type="module" src="${assetPrefix.replace(/[/.]/g, '\\$&')}[\\w.]+\\.js"></script>$`);
  for (const tag of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? []) expect(tag).toMatch(ownModule);
  expect(html).not.toMatch(/\sstyle=|\son[a-z]+=|javascript:/i);
  for (const [file, source] of Object.entries({ ...scripts, 'index.html': html, ...styles })) {
    expect([file, source]).not.toEqual([file, expect.stringMatching(/https?:\/\/(?!www\.w3\.org)/)]);
  }
  for (const [file, source] of Object.entries(scripts)) {
    expect([file, source]).not.toEqual([file, expect.stringMatching(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/)]);
  }
}
