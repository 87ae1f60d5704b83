import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditEntry } from './audit-entry.entity';

// The audit trail lives in its own PostgreSQL schema, mapped with TypeORM.
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEntry) private readonly auditRepository: Repository<AuditEntry>) {}

  everything() {
    return this.auditRepository.find({ order: { at: 'DESC' } }); // expect: unbounded-fetch
  }

  latest(skip: number) {
    return this.auditRepository.find({ order: { at: 'DESC' }, take: 50, skip }); // ok: unbounded-fetch -- a page
  }

  forActor(actorId: string) {
    return this.auditRepository.find({ where: { actorId }, order: { at: 'DESC' } }); // ok: unbounded-fetch -- one actor's rows
  }

  redact(entries: AuditEntry[], id: string) {
    return entries.find((e) => e.id === id); // ok: unbounded-fetch -- an array's find
  }
}
