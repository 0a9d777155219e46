// Where the vendored DigitalOcean spec (the built-in catalog's source) sits in a doql checkout or install.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** From dist/catalog or src/catalog, the checkout's root is two levels up. */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** DigitalOcean's spec as doql ships it (vendor/digitalocean-openapi/, Apache-2.0, see its README). */
export const VENDORED_SPEC = join(root, 'vendor', 'digitalocean-openapi', 'DigitalOcean-public.v2.json');

/** Recorded as the built-in catalog's source (`doql registry list`). */
export const VENDORED_SOURCE = 'vendor/digitalocean-openapi/DigitalOcean-public.v2.json';
