import { PrismaClient } from '@prisma/client';

// ok: pool-unconfigured -- a seed script
const prisma = new PrismaClient();

async function main(): Promise<void> {
  const emails = Array.from({ length: 500 }, (_, i) => `user${i}@example.com`);
  // ok: unbounded-fan-out -- a seed script
  await Promise.all(emails.map((email) => prisma.user.create({ data: { email } })));
}

void main();
