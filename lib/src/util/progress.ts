/**
 * Progress for long stages: a live line with elapsed time and ETA on a TTY,
 * a few plain lines (start, every ~25%, end) when not a TTY, nothing when quiet.
 */
export interface Progress {
  tick(done: number, note?: string): void;
  end(note?: string): void;
}

let quietAll = process.env.VIGIL_QUIET === '1';
export function setQuiet(q: boolean): void { quietAll = q; }

function fmt(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  if (sec < 60) return `${sec.toFixed(1)}s`;
  const m = Math.floor(sec / 60);
  return `${m}m${Math.round(sec - m * 60).toString().padStart(2, '0')}s`;
}

export function progress(label: string, total: number): Progress {
  const start = Date.now();
  const tty = Boolean(process.stderr.isTTY);
  let lastQuarter = -1;
  let lastDraw = 0;
  const line = (done: number, note?: string): string => {
    const el = (Date.now() - start) / 1000;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const eta = frac > 0 ? (el / frac) * (1 - frac) : NaN;
    return `${label}: ${done}/${total} (${(frac * 100).toFixed(0)}%) elapsed ${fmt(el)} eta ${fmt(eta)}${note ? ' ' + note : ''}`;
  };
  return {
    tick(done, note) {
      if (quietAll) return;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        process.stderr.write(`\r\x1b[2K${line(done, note)}`);
      } else {
        const q = total > 0 ? Math.floor((done / total) * 4) : 0;
        if (q > lastQuarter) { lastQuarter = q; process.stderr.write(line(done, note) + '\n'); }
      }
    },
    end(note) {
      if (quietAll) return;
      const el = (Date.now() - start) / 1000;
      const msg = `${label}: done in ${fmt(el)}${note ? ' ' + note : ''}`;
      process.stderr.write(tty ? `\r\x1b[2K${msg}\n` : msg + '\n');
    },
  };
}

/** Log one line to stderr unless quiet. */
export function info(msg: string): void {
  if (!quietAll) process.stderr.write(msg + '\n');
}
