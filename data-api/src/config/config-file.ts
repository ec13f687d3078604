import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '@launchdb/common/errors';

/** A value as the PostgREST config file writes it: quoted strings, bare numbers and booleans, lists. */
export type ConfigFileValue = string | number | boolean | ConfigFileValue[];

export type EnvironmentLookup = (name: string) => string | undefined;

/**
 * Reads a PostgREST config file (the `Data.Configurator` format PostgREST uses):
 *
 *     # a comment
 *     db-uri = "postgres://authenticator:$(PGPASSWORD)@localhost/app"
 *     db-pool = 10
 *     db-aggregates-enabled = true
 *     app.settings.tenant = "acme"
 *     app { settings { region = "eu" } }      # groups: app.settings.region
 *     import "more.conf"
 *
 * `$(NAME)` inside a string is replaced by the value of an earlier setting of that name, else by
 * the environment variable NAME (an error when neither exists); `$$` is a literal `$`.
 * Returns the settings in file order, later assignments replacing earlier ones.
 */
export function readConfigFile(path: string, env: EnvironmentLookup): Map<string, ConfigFileValue> {
  const settings = new Map<string, ConfigFileValue>();
  loadInto(resolve(path), env, settings, []);
  return settings;
}

/** Parses config text; `origin` names the file in error messages and anchors relative imports. */
export function parseConfigText(text: string, origin: string, env: EnvironmentLookup): Map<string, ConfigFileValue> {
  const settings = new Map<string, ConfigFileValue>();
  new ConfigParser(text, origin, env, settings, []).parseFile();
  return settings;
}

function loadInto(path: string, env: EnvironmentLookup, settings: Map<string, ConfigFileValue>, importing: string[]): void {
  if (importing.includes(path)) throw new ConfigError(`config file ${path} imports itself`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  new ConfigParser(text, path, env, settings, [...importing, path]).parseFile();
}

const NAME_CHARACTER = /[A-Za-z0-9_\-]/;

class ConfigParser {
  #position = 0;
  readonly #text: string;
  readonly #origin: string;
  readonly #env: EnvironmentLookup;
  readonly #settings: Map<string, ConfigFileValue>;
  readonly #importing: string[];

  constructor(text: string, origin: string, env: EnvironmentLookup, settings: Map<string, ConfigFileValue>, importing: string[]) {
    this.#text = text;
    this.#origin = origin;
    this.#env = env;
    this.#settings = settings;
    this.#importing = importing;
  }

  parseFile(): void {
    this.#parseDirectives('');
    this.#skipBlank();
    if (this.#position < this.#text.length) this.#fail(`unexpected '${this.#peek()}'`);
  }

  #parseDirectives(prefix: string): void {
    for (;;) {
      this.#skipBlank();
      if (this.#position >= this.#text.length || this.#peek() === '}') return;
      const name = this.#parseName();
      this.#skipSpaces();
      if (name === 'import' && this.#peek() === '"') {
        const file = this.#parseString(prefix);
        loadInto(resolve(dirname(this.#origin), file), this.#env, this.#settings, this.#importing);
      } else if (this.#peek() === '=') {
        this.#position += 1;
        this.#skipSpaces();
        this.#settings.set(prefix + name, this.#parseValue(prefix));
      } else if (this.#peek() === '{') {
        this.#position += 1;
        this.#parseDirectives(`${prefix}${name}.`);
        this.#skipBlank();
        if (this.#peek() !== '}') this.#fail(`missing '}' closing the group ${prefix}${name}`);
        this.#position += 1;
      } else {
        this.#fail(`expected '=' after ${prefix}${name}`);
      }
      this.#endOfDirective();
    }
  }

  #parseName(): string {
    const parts: string[] = [];
    for (;;) {
      const partStart = this.#position;
      while (this.#position < this.#text.length && NAME_CHARACTER.test(this.#peek())) this.#position += 1;
      if (this.#position === partStart) this.#fail(`expected a setting name, found '${this.#peek()}'`);
      parts.push(this.#text.slice(partStart, this.#position));
      if (this.#peek() !== '.') return parts.join('.');
      this.#position += 1;
    }
  }

  #parseValue(prefix: string): ConfigFileValue {
    const next = this.#peek();
    if (next === '"') return this.#parseString(prefix);
    if (next === '[') return this.#parseList(prefix);
    const word = /^(?:true|false|on|off)\b/.exec(this.#text.slice(this.#position));
    if (word) {
      this.#position += word[0].length;
      return word[0] === 'true' || word[0] === 'on';
    }
    const number = /^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(this.#text.slice(this.#position));
    if (number) {
      this.#position += number[0].length;
      return Number(number[0]);
    }
    return this.#fail(next === '' ? 'missing value' : `unexpected '${next}': strings must be quoted`);
  }

  #parseList(prefix: string): ConfigFileValue[] {
    this.#position += 1;
    const items: ConfigFileValue[] = [];
    this.#skipBlank();
    if (this.#peek() === ']') {
      this.#position += 1;
      return items;
    }
    for (;;) {
      this.#skipBlank();
      items.push(this.#parseValue(prefix));
      this.#skipBlank();
      const next = this.#peek();
      this.#position += 1;
      if (next === ']') return items;
      if (next !== ',') this.#fail("expected ',' or ']' in a list");
    }
  }

  #parseString(prefix: string): string {
    const start = this.#position;
    this.#position += 1;
    let value = '';
    for (;;) {
      if (this.#position >= this.#text.length) {
        this.#position = start;
        this.#fail('unterminated string');
      }
      const char = this.#text[this.#position]!;
      this.#position += 1;
      if (char === '"') return value;
      if (char === '\\') {
        value += this.#parseEscape();
      } else if (char === '$') {
        value += this.#parseInterpolation(prefix);
      } else {
        value += char;
      }
    }
  }

  #parseEscape(): string {
    const char = this.#text[this.#position];
    this.#position += 1;
    switch (char) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'u': {
        const hex = this.#text.slice(this.#position, this.#position + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail('invalid \\u escape');
        this.#position += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        return this.#fail(`invalid escape \\${char ?? ''}`);
    }
  }

  #parseInterpolation(prefix: string): string {
    if (this.#peek() === '$') {
      this.#position += 1;
      return '$';
    }
    if (this.#peek() !== '(') return '$';
    const close = this.#text.indexOf(')', this.#position);
    if (close < 0) this.#fail('unterminated $( interpolation');
    const name = this.#text.slice(this.#position + 1, close);
    this.#position = close + 1;
    const setting = this.#settings.get(prefix + name) ?? this.#settings.get(name);
    if (setting !== undefined) return describeValue(setting);
    const fromEnv = this.#env(name);
    if (fromEnv !== undefined) return fromEnv;
    return this.#fail(`no such variable: $(${name}) is neither an earlier setting nor an environment variable`);
  }

  #endOfDirective(): void {
    this.#skipSpaces();
    const next = this.#peek();
    if (next === '' || next === '\n' || next === '\r' || next === '#' || next === '}') return;
    if (next === ';' || next === ',') {
      this.#position += 1;
      return;
    }
    this.#fail(`unexpected '${next}' after a value`);
  }

  #skipSpaces(): void {
    while (this.#peek() === ' ' || this.#peek() === '\t') this.#position += 1;
  }

  /** Whitespace, newlines and comments. */
  #skipBlank(): void {
    for (;;) {
      const next = this.#peek();
      if (next === ' ' || next === '\t' || next === '\n' || next === '\r') this.#position += 1;
      else if (next === '#') {
        while (this.#position < this.#text.length && this.#peek() !== '\n') this.#position += 1;
      } else return;
    }
  }

  #peek(): string {
    return this.#text[this.#position] ?? '';
  }

  #fail(message: string): never {
    const before = this.#text.slice(0, this.#position);
    const line = before.split('\n').length;
    const column = this.#position - before.lastIndexOf('\n');
    throw new ConfigError(`${this.#origin}:${line}:${column}: ${message}`);
  }
}

/** A file value as the text PostgREST's coercion sees (numbers without a trailing `.0`, lists joined). */
export function describeValue(value: ConfigFileValue): string {
  if (Array.isArray(value)) return value.map(describeValue).join(',');
  return String(value);
}
