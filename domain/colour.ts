// Colours chosen by an administrator, made readable: pages and e-mails use these.

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** Text on the primary colour: white unless the colour is light (WCAG relative luminance). */
export function inkFor(hex: string): string {
  const l = luminance(hex);
  // Contrast with white (1.05 / (L + 0.05)) against contrast with near-black.
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#ffffff' : '#1b1f24';
}

/** The colour for links on white: the primary colour when it reads (WCAG AA, 4.5:1), else a default blue. */
export function linkColourOnWhite(hex: string, fallback = '#0b5cab'): string {
  return 1.05 / (luminance(hex) + 0.05) >= 4.5 ? hex : fallback;
}
