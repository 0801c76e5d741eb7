/** Statement names by text, so that node-pg prepares each statement once per connection. */
const names = new Map<string, string>();

/**
 * A name for a statement's text: the same text always gets the same name, and another text
 * another name. PostgreSQL then parses and plans it once per connection instead of every time.
 */
export function preparedName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `rivulet_${names.size}`;
    names.set(text, name);
  }
  return name;
}
