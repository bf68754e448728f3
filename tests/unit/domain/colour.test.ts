// Colours chosen by an administrator, made readable (WCAG contrast).
import { describe, expect, it } from 'vitest';
import { inkFor, linkColourOnWhite } from '../../../domain/colour.js';

describe('inkFor', () => {
  it('writes white on dark colours and near-black on light ones', () => {
    expect(inkFor('#000000')).toBe('#ffffff');
    expect(inkFor('#0b5cab')).toBe('#ffffff');
    expect(inkFor('#aa0000')).toBe('#ffffff');
    expect(inkFor('#ffffff')).toBe('#1b1f24');
    expect(inkFor('#ffdd00')).toBe('#1b1f24');
    expect(inkFor('#7fdbff')).toBe('#1b1f24');
  });
});

describe('linkColourOnWhite', () => {
  it('keeps a colour that reads on white (4.5:1) and replaces one that does not', () => {
    expect(linkColourOnWhite('#0b5cab')).toBe('#0b5cab');
    expect(linkColourOnWhite('#000000')).toBe('#000000');
    expect(linkColourOnWhite('#ffdd00')).toBe('#0b5cab');
    expect(linkColourOnWhite('#ffffff', '#123456')).toBe('#123456');
    // #767676 is the lightest grey at 4.5:1 on white; #777777 is just under.
    expect(linkColourOnWhite('#767676')).toBe('#767676');
    expect(linkColourOnWhite('#777777')).toBe('#0b5cab');
  });
});
