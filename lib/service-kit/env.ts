/**
 * Typed reading of environment variables. A service reads its whole configuration once at start;
 * a missing or malformed variable throws an `EnvError` that names the variable, so a bad deploy
 * fails at boot with a clear message instead of misbehaving later.
 */

export class EnvError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "EnvError";
  }
}

export interface IntRange {
  min?: number;
  max?: number;
}

export interface EnvReader {
  /** The value as is (an empty string is a value); `def` when unset; throws when unset without `def`. */
  string(name: string, def?: string): string;
  /** A base-10 integer, optionally bounded; empty or unset means `def`. */
  int(name: string, def?: number, range?: IntRange): number;
  /** true/false, 1/0, yes/no, on/off (any case); empty or unset means `def`. */
  bool(name: string, def?: boolean): boolean;
  /** A comma-separated list, items trimmed, empty items dropped; empty or unset means `def`. */
  list(name: string, def?: string[]): string[];
  /** The value, or undefined when unset or empty. */
  optional(name: string): string | undefined;
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvReader {
  const present = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const required = (name: string): never => {
    throw new EnvError(name, `${name} is required`);
  };

  return {
    string(name, def) {
      const value = env[name];
      if (value !== undefined) return value;
      return def ?? required(name);
    },
    int(name, def, range) {
      const raw = present(name);
      if (raw === undefined) return def ?? required(name);
      if (!/^[-+]?\d+$/.test(raw))
        throw new EnvError(name, `${name} must be an integer (got ${JSON.stringify(raw)})`);
      const value = Number(raw);
      if (!Number.isSafeInteger(value)) throw new EnvError(name, `${name} is out of range (got ${raw})`);
      if (range?.min !== undefined && value < range.min)
        throw new EnvError(name, `${name} must be >= ${range.min} (got ${value})`);
      if (range?.max !== undefined && value > range.max)
        throw new EnvError(name, `${name} must be <= ${range.max} (got ${value})`);
      return value;
    },
    bool(name, def) {
      const raw = present(name);
      if (raw === undefined) return def ?? required(name);
      const word = raw.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw new EnvError(
        name,
        `${name} must be a boolean: true/false, 1/0, yes/no, on/off (got ${JSON.stringify(raw)})`,
      );
    },
    list(name, def) {
      const raw = present(name);
      if (raw === undefined) return def ?? required(name);
      return raw
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
    },
    optional(name) {
      const value = env[name];
      return value === undefined || value.trim() === "" ? undefined : value;
    },
  };
}
