import { Module, type DynamicModule } from '@nestjs/common';
import { EnrollmentsController } from './enrollments.controller';
import { EnrollmentsService } from './enrollments.service';
import { CLASSROOM_DATABASE_NAME } from './enrollments.tokens';
import { PurchaseEventsConsumer } from './purchase-events.consumer';

/** Enrollments: HTTP API, storage and the consumer of purchase events. */
@Module({})
export class EnrollmentsModule {
  /** Stores enrollments in `databaseName`. */
  static register(databaseName: string): DynamicModule {
    return {
      module: EnrollmentsModule,
      controllers: [EnrollmentsController],
      providers: [
        EnrollmentsService,
        PurchaseEventsConsumer,
        { provide: CLASSROOM_DATABASE_NAME, useValue: databaseName },
      ],
    };
  }
}
