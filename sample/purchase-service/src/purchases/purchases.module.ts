import { Module, type DynamicModule } from '@nestjs/common';
import { ChangeStreamModule } from '../../../../lib';
import { PURCHASES_TOPIC_CONFIG } from '../../../shared/purchase-event';
import { PurchasesController } from './purchases.controller';
import { PurchasesService } from './purchases.service';
import { PURCHASE_DATABASE_NAME } from './purchases.tokens';

/** Purchases: HTTP API, storage and the publisher of their events. */
@Module({})
export class PurchasesModule {
  /** Stores purchases in `databaseName`. */
  static register(databaseName: string): DynamicModule {
    return {
      module: PurchasesModule,
      imports: [
        ChangeStreamModule.forFeature({ topics: [PURCHASES_TOPIC_CONFIG] }),
      ],
      controllers: [PurchasesController],
      providers: [
        PurchasesService,
        { provide: PURCHASE_DATABASE_NAME, useValue: databaseName },
      ],
    };
  }
}
