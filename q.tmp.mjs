import pg from 'pg';
const c = new pg.Client(process.argv[2]); await c.connect();
for (const q of process.argv.slice(3)) { try { const r = await c.query({text: q, rowMode: 'array'}); console.log(q, '=>', r.fields.map(f=>f.dataTypeID).join(','), JSON.stringify(r.rows.slice(0,3))); } catch (e) { console.log(q, 'ERR', e.code, e.message); } }
await c.end();
