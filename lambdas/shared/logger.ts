/**
 * One structured JSON logger per function, built at module scope. The HTTP middleware appends the
 * request id, org and user to every line of a request. Log names and ids only: never a field value
 * of a patient record (PHI).
 *
 * Our own, not Powertools' Logger: the functions use five methods of it (info, warn, error,
 * appendKeys, resetKeys), and its 16 KB (minified) were in every bundle and every cold start
 * (issue 25, docs/cold-starts.md). The lines keep Powertools' shape (`level`, `message`,
 * `timestamp`, `service`, `xray_trace_id`, then the keys), so log queries keep working. Powertools'
 * Logger still satisfies this interface (the tests' silent logger is one).
 */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Keys on every following line, until `resetKeys`. */
  appendKeys(keys: LogFields): void;
  resetKeys(): void;
}

const LEVELS = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type Level = keyof typeof LEVELS;

/** Errors as Powertools writes them (name, location, message, stack), causes included; no cycles. */
function replacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) {
      const location = /\((.*:\d+:\d+)\)/.exec(value.stack?.split('\n')[1] ?? '')?.[1] ?? '';
      return { name: value.name, location, message: value.message, stack: value.stack, ...(value.cause !== undefined ? { cause: value.cause } : {}) };
    }
    if (value !== null && typeof value === 'object') {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
}

class JsonLogger implements Logger {
  private keys: Record<string, unknown> = {};

  constructor(
    private readonly service: string,
    private readonly threshold: number,
  ) {}

  info(message: string, fields?: LogFields): void {
    this.write('INFO', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('WARN', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write('ERROR', message, fields);
  }

  appendKeys(keys: LogFields): void {
    Object.assign(this.keys, keys);
  }

  resetKeys(): void {
    this.keys = {};
  }

  private write(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: LogFields): void {
    if (LEVELS[level] < this.threshold) return;
    const trace = process.env._X_AMZN_TRACE_ID?.split(';')[0]?.replace('Root=', '');
    const line = { level, message, timestamp: new Date().toISOString(), service: this.service, ...(trace ? { xray_trace_id: trace } : {}), ...this.keys, ...fields };
    // stdout, not console: Lambda's console prefixes each line with text, and the line must stay JSON.
    (level === 'INFO' ? process.stdout : process.stderr).write(`${JSON.stringify(line, replacer())}\n`);
  }
}

/**
 * @param options.level the least level written (`SILENT`: none)
 *   (@default - POWERTOOLS_LOG_LEVEL or LOG_LEVEL, as before; INFO when neither is set or the value is unknown)
 */
export function createLogger(serviceName: string, options: { level?: Level } = {}): Logger {
  const name = (options.level ?? process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'INFO').toUpperCase();
  const threshold = name in LEVELS ? LEVELS[name as Level] : LEVELS.INFO;
  return new JsonLogger(process.env.POWERTOOLS_SERVICE_NAME ?? serviceName, threshold);
}
