/** Cuts to characters (code points), which is what the contract's excerpt limits promise. */
export function excerpt(value: string | null, chars: number): string | null {
  if (value === null) {
    return null;
  }
  const codePoints = Array.from(value);
  return codePoints.length > chars ? codePoints.slice(0, chars).join('') : value;
}
