// The cases' forms read their fields with this: server/forms.ts's `text` (the string typed, ''
// otherwise), also when the field is missing from the body. zod 4 refuses an absent key whose
// schema ends in a transform ("expected nonoptional"); a default of '' keeps the old `field()`.
import { text as typedText } from '../../forms.js';

export const text = typedText.default('');
