/**
 * Splits a command line into words as a POSIX shell would, without running anything:
 * quotes ('…' literal, "…" with \" \\ \$ \` escapes), backslash escapes, line
 * continuations, # comments. What only a shell could do (pipes, redirections, variables,
 * command substitution) is refused, since nothing here would do it.
 */

/** The text cannot be read as arguments; `message` says where and why. */
export class ShellSyntaxError extends Error {
  override name = 'ShellSyntaxError';
  constructor(
    message: string,
    /** Index in the text where the problem is. */
    readonly at: number,
  ) {
    super(message);
  }
}

const SPECIAL: Record<string, string> = {
  '|': 'a pipe (|)',
  '&': 'an & (background or &&)',
  ';': 'a ; (a second command)',
  '<': 'a redirection (<)',
  '>': 'a redirection (>)',
  '(': 'a parenthesis',
  ')': 'a parenthesis',
  '`': 'a command substitution (`…`)',
  $: 'a variable or substitution ($)',
};

export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const end = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      end();
      i++;
    } else if (c === '#' && !inWord) {
      // A comment runs to the end of the line.
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) throw new ShellSyntaxError('The text ends with a lone backslash (\\): remove it, or escape it as \\\\.', i);
      if (next === '\n') {
        i += 2; // a line continuation
        continue;
      }
      word += next;
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError(`A single quote (') opened at character ${i + 1} is never closed.`, i);
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (;;) {
        const d = text[j];
        if (d === undefined) throw new ShellSyntaxError(`A double quote (") opened at character ${i + 1} is never closed.`, i);
        if (d === '"') break;
        if (d === '\\' && text[j + 1] !== undefined && '"\\$`\n'.includes(text[j + 1] ?? '')) {
          if (text[j + 1] !== '\n') word += text[j + 1];
          j += 2;
          continue;
        }
        if (d === '$' || d === '`') throw new ShellSyntaxError(`${SPECIAL[d] ?? d} inside double quotes at character ${j + 1}: nothing here would expand it. Use single quotes, or escape it with a backslash.`, j);
        word += d;
        j++;
      }
      inWord = true;
      i = j + 1;
    } else if (c in SPECIAL) {
      throw new ShellSyntaxError(`${SPECIAL[c] ?? c} at character ${i + 1}: write only ffmpeg's arguments, not a shell command. Quote it ('${c}') if it is part of a value.`, i);
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  end();
  return words;
}

/** The words back as one line a shell would split into the same words. */
export function quoteWords(words: readonly string[]): string {
  return words.map((w) => (w !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
