// Builds the broadcast publishing points of the config: one BroadcastPoint per path with its source (push, pull,
// playlist, command), and logs what each does. Keyed by pointKey so every protocol finds them alike.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { Archive } from '../streaming/archive.js';
import { BroadcastPoint } from '../streaming/live/broadcast-point.js';
import { PlaylistSource } from '../streaming/live/playlist-source.js';
import type { BroadcastConfig, LiveSource } from '../streaming/live/types.js';
import { CommandSource } from './command-source.js';
import { pointKey } from './content.js';
import { PushSource } from './push-source.js';

export interface PointsContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stallMs: number;
  readonly pullSource?: (url: string) => LiveSource;
}

export function createPoints(
  configs: readonly BroadcastConfig[],
  c: PointsContext,
): Map<string, BroadcastPoint> {
  const points = new Map<string, BroadcastPoint>();
  for (const cfg of configs) {
    const key = pointKey(cfg.path);
    if (points.has(key)) throw new Error(`broadcast point ${cfg.path} is declared twice`);
    const log = c.logger.child({ point: cfg.path });
    const source = makeSource(cfg, c, log);
    const taps = cfg.archive
      ? [
          new Archive({
            name: key.replace(/\//g, '-') || 'live',
            config: cfg.archive,
            clock: c.clock,
            log: log.child({ archive: cfg.archive.template }),
          }),
        ]
      : [];
    const point = new BroadcastPoint({
      path: cfg.path,
      source,
      taps,
      clock: c.clock,
      stallMs: c.stallMs,
      onEvent: (e) => {
        if (e.type === 'malformed') log.warn(e.message);
        else if (e.type === 'interrupted') log.info(`source interrupted: ${e.reason}`);
        else if (e.type === 'header') log.info({ incarnation: e.incarnation, changed: e.changed }, 'header');
        else log.info({ from: e.fromMs, to: e.toMs }, 'time line carried on');
      },
    });
    points.set(key, point);
    log.info({ source: source.description }, 'broadcast point');
  }
  return points;
}

function makeSource(cfg: BroadcastConfig, c: PointsContext, log: Logger): LiveSource {
  const s = cfg.source;
  switch (s.kind) {
    case 'push':
      return new PushSource(s.password);
    case 'playlist':
      return new PlaylistSource({
        path: s.path,
        loop: s.loop,
        onSkip: (file, why) => log.warn({ file }, `playlist entry skipped: ${why}`),
        onEnd: (why) => log.info(`playlist ended: ${why}`),
      });
    case 'command':
      return new CommandSource({ command: s.command, log });
    case 'pull':
      if (!c.pullSource) throw new Error(`broadcast point ${cfg.path}: pull sources are not available here`);
      return c.pullSource(s.url);
  }
}
