// Bodies for responses that are not JSON (kubeconfig YAML, invoice CSV and PDF), in the documented
// content type, generated from the request path so the same path always answers the same.
import type { Rng } from './prng.js';

export interface RawBody {
  contentType: string;
  body: Buffer;
}

function kubeconfig(name: string, rng: Rng): string {
  const cert = Buffer.from(`doql-sandbox-ca-${rng.int(0, 1e9)}`).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${cert}`,
    `    server: https://${name}.k8s.ondigitalocean.com`,
    `  name: do-${name}`,
    'contexts:',
    '- context:',
    `    cluster: do-${name}`,
    `    user: do-${name}-admin`,
    `  name: do-${name}`,
    `current-context: do-${name}`,
    'users:',
    `- name: do-${name}-admin`,
    '  user:',
    `    token: sandbox-${rng.int(0, 1e9).toString(16)}`,
    '',
  ].join('\n');
}

function invoiceCsv(rng: Rng): string {
  const rows = ['product,group_description,description,hours,start,end,USD,project_name,category'];
  const products = ['Droplets', 'Volumes', 'Spaces', 'Load Balancers', 'Managed Databases'];
  for (let i = 0; i < rng.int(3, 6); i++) {
    const p = rng.pick(products);
    rows.push(`${p},,${p} usage,${rng.int(1, 744)},2025-05-01 00:00:00 +0000,2025-06-01 00:00:00 +0000,$${(rng.int(100, 9000) / 100).toFixed(2)},default,iaas`);
  }
  return `${rows.join('\n')}\n`;
}

/** A minimal well-formed one-page PDF. */
function pdf(title: string): Buffer {
  const text = title.replace(/[()\\]/g, '');
  const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The body for a non-JSON content type; `subject` is the last path parameter (cluster id, invoice uuid). */
export function rawBody(contentType: string, subject: string, rng: Rng): RawBody {
  const type = contentType.toLowerCase();
  if (type.includes('yaml')) return { contentType, body: Buffer.from(kubeconfig(subject || 'sandbox', rng)) };
  if (type.includes('csv')) return { contentType, body: Buffer.from(invoiceCsv(rng)) };
  if (type.includes('pdf')) return { contentType, body: pdf(`DigitalOcean invoice ${subject}`) };
  if (type.startsWith('text/')) return { contentType, body: Buffer.from(`sandbox ${subject}\n`) };
  return { contentType, body: Buffer.from(`doql-sandbox:${subject}`) };
}
