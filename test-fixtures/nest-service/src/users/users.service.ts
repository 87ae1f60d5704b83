import { Injectable } from '@nestjs/common';
import { UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  async withLastLogin(take: number) {
    const users = await this.users.page(Math.min(take, 100));
    const out = [];
    for (const user of users) {
      // expect: n-plus-one -- lastLoginOf runs a query per user, in the repository
      const last = await this.users.lastLoginOf(user.id);
      out.push({ ...user, lastLogin: last?.createdAt ?? null });
    }
    return out;
  }

  displayNames(users: { name: string }[]) {
    // ok: n-plus-one -- no I/O per user
    return users.map((u) => u.name.trim());
  }
}
