export type { ChangeStreamFeatureOptions } from './change-stream-feature-options.interface';
export type { ChangeStreamModuleOptions } from './change-stream-module-options.interface';
export type {
  OnTopicConsumerOptions,
  OnTopicOptions,
} from './on-topic-options.interface';
