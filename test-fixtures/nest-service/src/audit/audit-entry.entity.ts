import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ schema: 'audit' })
export class AuditEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column()
  actorId!: string;

  @Column()
  action!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
