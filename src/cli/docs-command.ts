// `doql docs --out DIR [--spec FILE]`: one Markdown page per resource, plus service and provider indexes.
import { loadCatalog } from '../catalog/load.js';
import { writeDocs } from '../docs/write-docs.js';

export async function docsCommand(opts: { out: string; spec?: string }, stderr: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<void> {
  const { catalog } = loadCatalog({ specFile: opts.spec });
  const summary = writeDocs(catalog, opts.out);
  stderr(`wrote ${summary.files.length} pages (${summary.services} services, ${summary.resources} resources) to ${opts.out}`);
}
