/**
 * Colour and symbols for the CLI's output, on a terminal only. Piped output, `NO_COLOR` (https://no-color.org: set
 * and not empty) and `TERM=dumb` give plain text, exactly what scripts and tests read; `FORCE_COLOR` (not `0` or
 * `false`) turns it on for a pipe.
 *
 *   const s = styleFor(process.stdout);
 *   process.stdout.write(`${s.ok("All 5 backends are up.")}\n`);   // "✓ All 5 backends are up." in green on a TTY
 */

export interface Style {
  /** Whether this stream gets ANSI colours and symbols. */
  readonly enabled: boolean;
  /** A success line: a green "✓ " before it on a terminal. */
  ok(text: string): string;
  /** A failure line: a red "✗ ". */
  fail(text: string): string;
  /** A warning line: a yellow "! ". */
  warn(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  /** Less important text (paths, hints). */
  dim(text: string): string;
  bold(text: string): string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Whether a stream should get colour: a TTY unless NO_COLOR or TERM=dumb; FORCE_COLOR decides first when set. */
export function colorEnabled(stream: { isTTY?: boolean }, env: Env = process.env): boolean {
  if ((env.NO_COLOR ?? "") !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  return stream.isTTY === true && env.TERM !== "dumb";
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const PLAIN: Style = {
  enabled: false,
  ok: (t) => t,
  fail: (t) => t,
  warn: (t) => t,
  green: (t) => t,
  red: (t) => t,
  yellow: (t) => t,
  dim: (t) => t,
  bold: (t) => t,
};

const green = sgr(32, 39);
const red = sgr(31, 39);
const yellow = sgr(33, 39);
const COLOURED: Style = {
  enabled: true,
  ok: (t) => `${green("✓")} ${t}`,
  fail: (t) => `${red("✗")} ${t}`,
  warn: (t) => `${yellow("!")} ${t}`,
  green,
  red,
  yellow,
  dim: sgr(2, 22),
  bold: sgr(1, 22),
};

/** The style for a stream (process.stdout or process.stderr). */
export function styleFor(stream: { isTTY?: boolean }, env: Env = process.env): Style {
  return colorEnabled(stream, env) ? COLOURED : PLAIN;
}

/** Visible width of text that may carry ANSI colour codes. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}
