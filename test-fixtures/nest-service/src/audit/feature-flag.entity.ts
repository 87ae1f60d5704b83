import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

// Flags the operators toggle: a handful of rows that reference nobody.
@Entity()
export class FeatureFlag {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  key!: string;

  @Column()
  enabled!: boolean;
}
