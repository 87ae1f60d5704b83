import { PrismaClient } from '@prisma/client';

// ok: pool-unconfigured -- an e2e test's client
const prisma = new PrismaClient();

describe('users', () => {
  it('loads every user with their sessions', async () => {
    const users = await prisma.user.findMany();
    for (const user of users) {
      // ok: n-plus-one -- a test
      await prisma.session.findMany({ where: { userId: user.id } });
    }
    // ok: unbounded-fan-out -- a test
    await Promise.all(users.map((u) => prisma.session.count({ where: { userId: u.id } })));
  });
});
