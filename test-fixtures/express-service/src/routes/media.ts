import { Router, type Request, type Response } from 'express';
import bcrypt from 'bcryptjs';
import { execFile, execSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { prisma } from '../db';

const execFileAsync = promisify(execFile);
const UPLOADS = process.env.UPLOAD_ROOT ?? '/var/acme/uploads';

// Read once when the module loads, before the server listens.
const WATERMARK = fs.readFileSync(path.join(__dirname, '../../assets/watermark.png')); // ok: blocking-call-in-async
const BUILD = execSync('git rev-parse --short HEAD').toString().trim(); // ok: blocking-call-in-async

export const media = Router();

media.get('/avatars/:id', (req: Request, res: Response) => {
  const file = path.join(UPLOADS, 'avatars', `${path.basename(req.params.id)}.png`);
  if (!fs.existsSync(file)) return res.sendStatus(404); // ok: blocking-call-in-async -- a stat is one system call answered from the kernel's cache
  res.type('png').send(fs.readFileSync(file)); // expect: blocking-call-in-async (warning)
});

media.get('/originals/:id', (req: Request, res: Response) => {
  fs.createReadStream(path.join(UPLOADS, path.basename(req.params.id))).pipe(res); // ok: blocking-call-in-async
});

media.post('/thumbnails/:id', async (req: Request, res: Response) => {
  const src = path.join(UPLOADS, path.basename(req.params.id));
  const stat = await fs.promises.stat(src); // ok: blocking-call-in-async
  execSync(`convert ${src} -resize 256x256 ${src}.thumb.png`); // expect: blocking-call-in-async (error)
  await execFileAsync('convert', [src, '-resize', '64x64', `${src}.icon.png`]); // ok: blocking-call-in-async
  res.json({ size: stat.size, watermark: WATERMARK.length, build: BUILD });
});

media.post('/share-links', async (req: Request, res: Response) => {
  const secret = crypto.randomBytes(24).toString('base64url'); // ok: blocking-call-in-async
  const hash = bcrypt.hashSync(secret, 12); // expect: blocking-call-in-async (error)
  const link = await prisma.shareLink.create({ data: { mediaId: String(req.body.mediaId), hash } });
  res.status(201).json({ id: link.id, secret });
});

media.post('/share-links/:id/open', async (req: Request, res: Response) => {
  const link = await prisma.shareLink.findUniqueOrThrow({ where: { id: req.params.id } });
  const ok = await bcrypt.compare(String(req.body.secret), link.hash); // ok: blocking-call-in-async
  res.sendStatus(ok ? 204 : 403);
});
