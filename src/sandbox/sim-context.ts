// What the request handlers share: the model, the store and the item machinery of one sandbox.
import type { DataGenerator } from './generator.js';
import type { ItemFactory } from './factory.js';
import type { SandboxModel } from './model.js';
import type { Store } from './store.js';
import type { Validators } from './validation.js';

export interface SimContext {
  model: SandboxModel;
  store: Store;
  factory: ItemFactory;
  generator: DataGenerator;
  validators: Validators;
  /** How long created things take to settle (actions complete, droplets become active). */
  actionDelayMs: number;
  /** The fraction of actions that end `errored` rather than `completed` (0 by default), drawn from the seed. */
  actionErrorRate: number;
}
