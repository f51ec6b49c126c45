import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';

const docs = fileURLToPath(new URL('..', import.meta.url));

/** A guide page's place and title: frontmatter `order` (default 100), then its first `# ` heading. */
function guidePage(file: string) {
  const text = readFileSync(`${docs}/guide/${file}`, 'utf8');
  const frontmatter = /^---\n([\s\S]*?)\n---\n/.exec(text)?.[1] ?? '';
  const order = Number(/^order:\s*(\d+(?:\.\d+)?)\s*$/m.exec(frontmatter)?.[1] ?? 100);
  const title = /^#\s+(.+)$/m.exec(text.slice(frontmatter.length))?.[1]?.replace(/`/g, '') ?? file.replace(/\.md$/, '');
  return { order, title, link: `/guide/${file.replace(/\.md$/, '')}` };
}

// Every docs/guide/*.md is in the sidebar, so a page added there needs no edit here.
const guide: DefaultTheme.SidebarItem[] = readdirSync(`${docs}/guide`)
  .filter((file) => file.endsWith('.md'))
  .map(guidePage)
  .sort((a, b) => a.order - b.order || a.title.localeCompare(b.title))
  .map(({ title, link }) => ({ text: title, link }));

// Written by scripts/docs-api.mjs from package.json `exports`: one group per entry.
const apiSidebarFile = `${docs}/api/typedoc-sidebar.json`;
const api: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile) ? JSON.parse(readFileSync(apiSidebarFile, 'utf8')) : [];

export default defineConfig({
  title: 'twilio-token-lifecycle',
  description: 'Keeps Twilio Access Tokens fresh in the browser.',
  // DOCS_BASE=/twilio-token-lifecycle/ for a site served under a path (GitHub Pages).
  base: process.env.DOCS_BASE ?? '/',
  cleanUrls: true,
  lastUpdated: false,
  // http://localhost:3000 in the text is the demo you start, not a page of this site.
  ignoreDeadLinks: 'localhostLinks',
  // The site must build offline: no web fonts or other remote assets.
  head: [['link', { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' }]],
  themeConfig: {
    nav: [
      { text: 'Guide', link: guide[0]?.link ?? '/' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/guide/': [{ text: 'Guide', items: guide }],
      '/api/': [{ text: 'API reference', link: '/api/', items: api }],
    },
    outline: [2, 3],
    search: { provider: 'local' },
  },
});
