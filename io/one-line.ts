// Error messages quote pieces of the input (a header key, a UUID, an option value); a control
// character there must not break the "one line per error" rule or reach the terminal raw.
// No Node built-ins: the browser shows the same messages.

/** `s` with control characters written as \xNN escapes (\n as \x0a). */
export function oneLine(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
