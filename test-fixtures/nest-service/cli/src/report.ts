import fs from 'node:fs';
import axios from 'axios';

// A command-line tool (its package installs the `acme` command): one run per invocation, so
// reading its input file and writing its report synchronously blocks nobody.
export async function runReport(input: string, out: string): Promise<void> {
  const ids: string[] = JSON.parse(fs.readFileSync(input, 'utf8')); // ok: blocking-call-in-async -- a CLI package
  const rows = await Promise.all(ids.map((id) => axios.get(`https://api.acme.test/users/${id}`))); // ok: unbounded-fan-out -- a CLI package
  fs.writeFileSync(out, JSON.stringify(rows.map((r) => r.data))); // ok: blocking-call-in-async -- a CLI package
}
