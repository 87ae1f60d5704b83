import { Controller, Get, Query } from '@nestjs/common';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController {
  constructor(private readonly service: UsersService) {}

  @Get('recent')
  // ok: unbounded-page-size -- the service caps it (Math.min(take, 100))
  recent(@Query('take') take = '20') {
    return this.service.withLastLogin(Number(take));
  }
}
