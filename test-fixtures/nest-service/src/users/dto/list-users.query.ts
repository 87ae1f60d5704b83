import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The query string of GET /users: validated by the global ValidationPipe. */
export class ListUsersQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  limit?: number; // expect: unbounded-page-size

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  take?: number; // ok: unbounded-page-size

  @IsOptional()
  @IsInt()
  @Min(0)
  skip?: number;
}
