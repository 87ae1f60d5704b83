import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditEntry } from './audit-entry.entity';
import { FeatureFlag } from './feature-flag.entity';

// Reports over the audit trail, through the data source rather than an injected repository.
@Injectable()
export class AuditReportService {
  constructor(private readonly dataSource: DataSource) {}

  byAction(action: string) {
    return this.dataSource.getRepository(AuditEntry).createQueryBuilder('a').where('a.action = :action', { action }).getMany(); // expect: unbounded-fetch
  }

  byActor(actorId: string) {
    return this.dataSource.getRepository(AuditEntry).createQueryBuilder('a').where('a.actorId = :actorId', { actorId }).getMany(); // ok: unbounded-fetch -- one actor's rows
  }

  recent() {
    return this.dataSource.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.at', 'DESC').take(20).getMany(); // ok: unbounded-fetch -- a page
  }

  flags() {
    return this.dataSource.getRepository(FeatureFlag).find(); // ok: unbounded-fetch -- a settings table: it references nothing that grows
  }

  trail() {
    return this.dataSource.manager.find(AuditEntry); // expect: unbounded-fetch
  }
}
