import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CartsModule } from '../carts/carts.module';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AccessGuard } from './access.guard';
import { AccessRevocationsModule } from './access-revocations.module';
import { AdminBootstrap } from './admin.bootstrap';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { RefreshToken } from './entities/refresh-token.entity';
import { JwtStrategy, signingKeyOf } from './jwt.strategy';
import { LoginAttempts } from './login-attempts';
import { PasswordService } from './password.service';
import { RefreshTokenService } from './refresh-token.service';

@Module({
  imports: [
    UsersModule,
    AccessRevocationsModule,
    CartsModule,
    PassportModule,
    TypeOrmModule.forFeature([RefreshToken]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        privateKey: signingKeyOf(config),
        signOptions: { algorithm: 'HS256', expiresIn: config.auth.accessTtlSeconds, issuer: config.auth.jwtIssuer },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, PasswordService, RefreshTokenService, JwtStrategy, AccessGuard, AdminBootstrap, LoginAttempts],
  exports: [AccessGuard, AdminBootstrap],
})
export class AuthModule {}
