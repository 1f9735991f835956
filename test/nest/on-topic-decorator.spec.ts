import 'reflect-metadata';
import { ConfigurationError, InvalidHandlerError } from '../../lib/core';
import { OnTopic } from '../../lib/nest';
import { ON_TOPIC_METADATA } from '../../lib/nest/change-stream.constants';

// The decorator is typed for methods only, so these casts stand in for
// JavaScript callers and for code that bypasses the type check.
const onOrdersProperty = OnTopic('orders') as unknown as PropertyDecorator;

function defineError(define: () => unknown): Error {
  try {
    define();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the class definition to throw');
}

describe('@OnTopic decorator', () => {
  it('rejects an instance property', () => {
    const error = defineError(() => {
      class OrderHandlers {
        @onOrdersProperty
        handle = async (): Promise<void> => undefined;
      }
      return OrderHandlers;
    });
    expect(error).toBeInstanceOf(InvalidHandlerError);
    expect(error.message).toContain(
      '@OnTopic("orders") must decorate a method',
    );
    expect(error.message).toContain('OrderHandlers.handle is a property');
  });

  it('rejects a static property', () => {
    const error = defineError(() => {
      class OrderHandlers {
        @onOrdersProperty
        static handle = 'not a method';
      }
      return OrderHandlers;
    });
    expect(error).toBeInstanceOf(InvalidHandlerError);
    expect(error.message).toContain('OrderHandlers.handle is a property');
  });

  it('rejects an accessor', () => {
    const onOrdersAccessor = OnTopic('orders') as unknown as MethodDecorator;
    const error = defineError(() => {
      class OrderHandlers {
        @onOrdersAccessor
        get handle(): string {
          return 'not a method';
        }
      }
      return OrderHandlers;
    });
    expect(error).toBeInstanceOf(InvalidHandlerError);
    expect(error.message).toContain('OrderHandlers.handle is an accessor');
  });

  it('stores metadata on a method', () => {
    class OrderHandlers {
      @OnTopic('orders', { groupId: 'billing' })
      @OnTopic('refunds')
      async handle(): Promise<void> {}
    }
    expect(
      Reflect.getMetadata(ON_TOPIC_METADATA, OrderHandlers.prototype.handle),
    ).toEqual([
      { topic: 'refunds', options: {} },
      { topic: 'orders', options: { groupId: 'billing' } },
    ]);
  });

  it('rejects an empty topic', () => {
    expect(() => OnTopic('')).toThrow(ConfigurationError);
  });

  it('rejects a static method', () => {
    const error = defineError(() => {
      class OrderHandlers {
        @OnTopic('orders')
        static async handle(): Promise<void> {}
      }
      return OrderHandlers;
    });
    expect(error).toBeInstanceOf(InvalidHandlerError);
    expect(error.message).toContain('OrderHandlers.handle is static');
  });

  it('rejects a method named by a symbol', () => {
    const name = Symbol('handle');
    const error = defineError(() => {
      class OrderHandlers {
        @OnTopic('orders')
        async [name](): Promise<void> {}
      }
      return OrderHandlers;
    });
    expect(error).toBeInstanceOf(InvalidHandlerError);
    expect(error.message).toContain(
      'OrderHandlers.Symbol(handle) is named by a symbol',
    );
  });
});
