/** The `Name` tag AWS consoles show, merged over any tags the caller passes. */
export function nameTags(name: string, tags?: Record<string, string>): Record<string, string> {
  return { ...tags, Name: name };
}
