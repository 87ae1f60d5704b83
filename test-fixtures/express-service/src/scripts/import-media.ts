// One-off import of a media manifest: `ts-node src/scripts/import-media.ts manifest.json`.
import fs from 'node:fs';
import { prisma } from '../db';

interface ManifestEntry {
  id: string;
  owner: string;
  path: string;
}

async function main(): Promise<void> {
  const manifest: ManifestEntry[] = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')); // ok: blocking-call-in-async
  const missing = manifest.filter((m) => !fs.existsSync(m.path)); // ok: blocking-call-in-async
  await prisma.media.createMany({ data: manifest.filter((m) => !missing.includes(m)).map((m) => ({ id: m.id, ownerId: m.owner, path: m.path })) });
  fs.writeFileSync('import-report.json', JSON.stringify({ imported: manifest.length - missing.length, missing })); // ok: blocking-call-in-async
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
