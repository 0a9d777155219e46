// The index pages: one per service (its resources) and one for the provider (its services).
import type { Catalog, Service } from '../catalog/types.js';
import { cell, frontMatter, table } from './markdown.js';
import { GENERATED_BANNER, PAGE_DESCRIPTION } from './resource-page.js';

function sortedNames<T>(record: Record<string, T>): string[] {
  return Object.keys(record).sort((a, b) => a.localeCompare(b));
}

export function renderServiceIndex(service: Service): string {
  const head = frontMatter(
    { title: service.name, keywords: [service.name, 'digitalocean', 'doql', 'infrastructure-as-code', 'configuration-as-data', 'cloud inventory'], description: PAGE_DESCRIPTION },
    GENERATED_BANNER,
  );
  const rows = sortedNames(service.resources).map((name) => {
    const r = service.resources[name];
    const verbs = [...new Set(r.methods.map((m) => `\`${m.verb.toUpperCase()}\``))].join(', ');
    return [`[${name}](${name}/index.md)`, `\`${r.id}\``, verbs];
  });
  const about = cell(service.description || service.title);
  return `${head}\n\n${about ? `${about}\n\n` : ''}Total resources: **${rows.length}**\n\n## Resources\n${table(['Name', 'Id', 'Accessible by'], rows)}\n`;
}

export function renderProviderIndex(catalog: Catalog): string {
  const head = frontMatter(
    { title: catalog.provider, keywords: ['digitalocean', 'doql', 'infrastructure-as-code', 'configuration-as-data', 'cloud inventory'], description: PAGE_DESCRIPTION },
    GENERATED_BANNER,
  );
  const names = sortedNames(catalog.services);
  const total = names.reduce((n, s) => n + Object.keys(catalog.services[s].resources).length, 0);
  const rows = names.map((name) => {
    const s = catalog.services[name];
    return [`[${name}](${name}/index.md)`, cell(s.title), String(Object.keys(s.resources).length)];
  });
  return (
    `${head}\n\nThe DigitalOcean API as SQL tables, from ${cell(catalog.source)} (spec ${cell(catalog.specVersion)}).\n\n` +
    `Total services: **${names.length}**, total resources: **${total}**\n\n## Services\n${table(['Name', 'Title', 'Resources'], rows)}\n`
  );
}
