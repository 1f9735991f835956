import { readServiceEnvironment } from '../../shared/service-environment';
import { startService } from '../../shared/start-service';
import { AppModule } from './app.module';

const environment = readServiceEnvironment({
  service: 'classroom-service',
  defaultPort: 3002,
  databaseVariable: 'CLASSROOM_DATABASE',
  defaultDatabase: 'classroom-service',
});

void startService(AppModule.register(environment), environment);
