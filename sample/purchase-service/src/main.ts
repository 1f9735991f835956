import { readServiceEnvironment } from '../../shared/service-environment';
import { startService } from '../../shared/start-service';
import { AppModule } from './app.module';

const environment = readServiceEnvironment({
  service: 'purchase-service',
  defaultPort: 3001,
  databaseVariable: 'PURCHASE_DATABASE',
  defaultDatabase: 'purchase-service',
});

void startService(AppModule.register(environment), environment);
