// Writes the docs tree: DIR/index.md, DIR/<service>/index.md, DIR/<service>/<resource>/index.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../catalog/types.js';
import { renderProviderIndex, renderServiceIndex } from './index-pages.js';
import { renderResourcePage } from './resource-page.js';

export interface DocsSummary {
  services: number;
  resources: number;
  files: string[];
}

export function writeDocs(catalog: Catalog, outDir: string): DocsSummary {
  const files: string[] = [];
  const write = (path: string[], text: string): void => {
    const dir = join(outDir, ...path);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'index.md');
    writeFileSync(file, text);
    files.push(file);
  };
  let resources = 0;
  write([], renderProviderIndex(catalog));
  for (const service of Object.values(catalog.services)) {
    write([service.name], renderServiceIndex(service));
    for (const resource of Object.values(service.resources)) {
      write([service.name, resource.name], renderResourcePage(resource));
      resources++;
    }
  }
  return { services: Object.keys(catalog.services).length, resources, files };
}
