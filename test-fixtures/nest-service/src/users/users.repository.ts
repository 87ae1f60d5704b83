import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  page(take: number) {
    return this.prisma.user.findMany({ take, orderBy: { id: 'desc' } });
  }

  lastLoginOf(userId: string) {
    return this.prisma.session.findFirst({ where: { userId }, orderBy: { createdAt: 'desc' } });
  }
}
