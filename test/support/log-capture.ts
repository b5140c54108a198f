/** A pino destination that keeps every log line, parsed, so tests can assert on them. */
export class LogCapture {
  readonly lines: Record<string, any>[] = [];

  write(line: string): void {
    this.lines.push(JSON.parse(line));
  }

  requestLines(requestId: string): Record<string, any>[] {
    return this.lines.filter((line) => line.msg === 'request completed' && line.requestId === requestId);
  }
}
