// Maps a request path to an ASF file under the media folder, refusing anything that would leave it
// (`..`, encoded dots or slashes, absolute paths, NUL, symlinks pointing out), and shares one open
// FileSource per file between sessions.
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { ProtocolError } from '../core/errors.js';
import { FileSource } from '../streaming/file-source.js';

const MEDIA_EXTENSIONS = new Set(['.wmv', '.wma', '.asf']);
const OPEN_FILES = 64;

function notFound(path: string): ProtocolError {
  return new ProtocolError('E_NOT_FOUND', `no such media: ${path}`, {
    reply: { http: 404, rtsp: 404, hresult: 0x80070002 },
  });
}

function badPath(path: string, why: string): ProtocolError {
  return new ProtocolError('E_BAD_PATH', `refused path ${JSON.stringify(path)}: ${why}`, {
    reply: { http: 400, rtsp: 400, hresult: 0x80070057 },
  });
}

export class MediaLibrary {
  private readonly open = new Map<string, Promise<FileSource>>();
  private rootReal: string | null = null;

  constructor(readonly root: string) {}

  /** The URL path's file, checked; the caller must `close()` the source when done with it. */
  async acquire(urlPath: string): Promise<FileSource> {
    const file = await this.resolvePath(urlPath);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) throw notFound(urlPath);
    let entry = this.open.get(file);
    if (entry) {
      const src = await entry.catch(() => null);
      if (src && src.mtimeMs === st.mtimeMs && src.fileSize === st.size) {
        this.open.delete(file);
        this.open.set(file, entry);
        return src.retain();
      }
      this.open.delete(file);
      if (src) void src.close();
    }
    entry = FileSource.open(file);
    this.open.set(file, entry);
    entry.catch(() => this.open.delete(file));
    while (this.open.size > OPEN_FILES) {
      const [oldest, p] = this.open.entries().next().value as [string, Promise<FileSource>];
      this.open.delete(oldest);
      void p.then(
        (s) => s.close(),
        () => undefined,
      );
    }
    return (await entry).retain();
  }

  /** Every open file is released once its sessions are done. */
  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (s) => s.close(),
          () => undefined,
        ),
      ),
    );
  }

  /** The absolute file path for a URL path, or a ProtocolError (400 for a hostile path, 404 otherwise). */
  async resolvePath(urlPath: string): Promise<string> {
    const raw = urlPath.split('?')[0] ?? '';
    if (/%2e|%2f|%5c|%00/i.test(raw)) throw badPath(urlPath, 'encoded dots, slashes or NUL');
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      throw badPath(urlPath, 'bad percent-encoding');
    }
    if (decoded.includes('\0') || decoded.includes('\\')) throw badPath(urlPath, 'NUL or backslash');
    const parts = decoded.split('/').filter((p) => p.length > 0);
    if (parts.some((p) => p === '..' || p === '.')) throw badPath(urlPath, 'dot segments');
    if (parts.length === 0) throw notFound(urlPath);
    if (!MEDIA_EXTENSIONS.has(extname(parts[parts.length - 1]!).toLowerCase())) throw notFound(urlPath);
    this.rootReal ??= await realpath(this.root);
    const candidate = resolve(this.rootReal, ...parts);
    const real = await realpath(candidate).catch(() => null);
    if (real === null) throw notFound(urlPath);
    if (real !== this.rootReal && !real.startsWith(this.rootReal + sep))
      throw badPath(urlPath, 'leaves the media folder');
    return real;
  }
}
