import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { CHANGE_STREAM_MODULE_LOG_CONTEXT } from '../change-stream.constants';
import { CHANGE_STREAM_MODULE_OPTIONS } from '../change-stream.module-definition';
import { ConsumerOrchestrator } from '../consumers/consumer-orchestrator';
import type { ChangeStreamModuleOptions } from '../interfaces/change-stream-module-options.interface';
import { createBinding } from './create-binding';
import { OnTopicMetadataAccessor } from './on-topic-metadata.accessor';

/** A discovered provider or controller, typed without Nest's internal paths. */
type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Finds every `@OnTopic` method of the application's providers and
 * controllers when the module initializes, and hands each one, bound to
 * its instance, to the {@link ConsumerOrchestrator}.
 */
@Injectable()
export class OnTopicExplorer implements OnModuleInit {
  private readonly logger = new Logger(CHANGE_STREAM_MODULE_LOG_CONTEXT);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: OnTopicMetadataAccessor,
    private readonly orchestrator: ConsumerOrchestrator,
    @Inject(CHANGE_STREAM_MODULE_OPTIONS)
    private readonly options: ChangeStreamModuleOptions,
  ) {}

  onModuleInit(): void {
    const wrappers = [
      ...this.discovery.getProviders(),
      ...this.discovery.getControllers(),
    ];
    for (const wrapper of wrappers) {
      this.explore(wrapper);
    }
  }

  private explore(wrapper: InstanceWrapper): void {
    const prototype = this.prototypeOf(wrapper);
    if (!prototype) {
      return;
    }
    const methodNames = this.scanner
      .getAllMethodNames(prototype)
      .filter(
        (methodName) =>
          this.accessor.getSubscriptions(Reflect.get(prototype, methodName))
            .length > 0,
      );
    if (methodNames.length === 0) {
      return;
    }

    const className = wrapper.metatype?.name || String(wrapper.name);
    if (!wrapper.isDependencyTreeStatic()) {
      this.logger.warn(
        `Ignoring @OnTopic on ${className} (${methodNames.join(', ')}): ` +
          'the provider is request-scoped or depends on one, so there is ' +
          'no single instance to call. Make it a singleton provider.',
      );
      return;
    }

    const instance = wrapper.instance as object;
    for (const methodName of methodNames) {
      const method = Reflect.get(prototype, methodName);
      for (const subscription of this.accessor.getSubscriptions(method)) {
        this.orchestrator.bind(
          createBinding(
            { instance, className, methodName },
            subscription,
            this.options,
          ),
        );
      }
    }
  }

  /**
   * Returns the prototype to scan: the instance's for values and
   * factories, else the class's (request-scoped classes have no instance
   * here).
   */
  private prototypeOf(wrapper: InstanceWrapper): object | undefined {
    const instance: unknown = wrapper.instance;
    if (instance !== null && typeof instance === 'object') {
      return Object.getPrototypeOf(instance) ?? undefined;
    }
    if (!wrapper.isNotMetatype && typeof wrapper.metatype === 'function') {
      return wrapper.metatype.prototype as object;
    }
    return undefined;
  }
}
