import {
  ConfigurableModuleBuilder,
  type ConfigurableModuleAsyncOptions,
  type ConfigurableModuleOptionsFactory,
} from '@nestjs/common';
import type { ChangeStreamModuleOptions } from './interfaces/change-stream-module-options.interface';

const FACTORY_METHOD = 'createChangeStreamOptions';

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } =
  new ConfigurableModuleBuilder<ChangeStreamModuleOptions>({
    moduleName: 'ChangeStream',
  })
    .setClassMethodName('forRoot')
    .setFactoryMethodName(FACTORY_METHOD)
    .build();

/** Base class that gives `ChangeStreamModule` its `forRoot` methods. */
export const ConfigurableChangeStreamModule = ConfigurableModuleClass;

/** Injection token of the {@link ChangeStreamModuleOptions}. */
export const CHANGE_STREAM_MODULE_OPTIONS = MODULE_OPTIONS_TOKEN;

/**
 * Options of `ChangeStreamModule.forRootAsync()`: `imports`, and one of
 * `useFactory` with `inject`, `useClass` or `useExisting`.
 */
export type ChangeStreamModuleAsyncOptions = ConfigurableModuleAsyncOptions<
  ChangeStreamModuleOptions,
  typeof FACTORY_METHOD
>;

/** A class passed as `useClass` or `useExisting` to `forRootAsync()`. */
export type ChangeStreamOptionsFactory = ConfigurableModuleOptionsFactory<
  ChangeStreamModuleOptions,
  typeof FACTORY_METHOD
>;
