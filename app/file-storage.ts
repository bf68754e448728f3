// Guichet's file storage: the storage connector, admitting only what came out of the one
// inspection (app/inspection). Server, activities and tests all store through this.
import { createLocalStorage, type LocalStorage, type Storage } from '../connectors/storage/index.js';
import { isInspected, type InspectedFile } from './inspection/index.js';

export type FileStorage = Storage<InspectedFile>;

export function createFileStorage(root: string): LocalStorage<InspectedFile> {
  return createLocalStorage(root, {
    admits: isInspected,
    refusal: 'only an inspected file can be stored (app/inspection)',
  });
}
