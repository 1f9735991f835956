import { Module, type DynamicModule } from '@nestjs/common';
import { ChangeStreamModule } from '../../../lib';
import type { ServiceEnvironment } from '../../shared/service-environment';
import { PurchasesModule } from './purchases/purchases.module';

/** Root module of purchase-service. */
@Module({})
export class AppModule {
  /** Builds the application for the given environment. */
  static register(environment: ServiceEnvironment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ChangeStreamModule.forRoot({
          mongoUri: environment.mongoUrl,
          database: environment.brokerDatabase,
          clientId: environment.service,
        }),
        PurchasesModule.register(environment.database),
      ],
    };
  }
}
