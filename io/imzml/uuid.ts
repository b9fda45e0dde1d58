// UUIDs as imzML files write them: with or without braces and hyphens, any case.

/** 32 lower-case hex digits from a UUID written with or without braces and hyphens. */
export function normalizeUuid(text: string): string | null {
  const hex = text.trim().replace(/^\{|\}$/g, '').replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? hex : null;
}

/** 8-4-4-4-12 lower-case form of 32 hex digits. */
export function canonicalUuid(hex32: string): string {
  const h = hex32;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
