import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessRevocations } from './access-revocations.service';
import { AccessRevocation } from './entities/access-revocation.entity';

/** Revoked access tokens, on their own so that users (roles) and auth (sessions) can both revoke without a cycle. */
@Module({
  imports: [TypeOrmModule.forFeature([AccessRevocation])],
  providers: [AccessRevocations],
  exports: [AccessRevocations],
})
export class AccessRevocationsModule {}
