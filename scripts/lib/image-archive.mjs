// Writes a container image without Docker or a registry: one layer made from a directory, saved in the docker-archive
// layout that `docker save` writes and `ctr images import` reads (manifest.json naming the config and the layer, the
// config with the layer's diff ID, the layer as an uncompressed tar). Plain Node ESM without dependencies, like
// toolchain.mjs. The layout follows the Docker image specification v1.2 (moby/moby image/spec/v1.2.md) and
// containerd's importer (containerd v1.6, images/archive/importer.go).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const BLOCK = 512;

function octal(value, width) {
  // Numeric fields are zero-padded octal followed by a NUL.
  const s = value.toString(8);
  if (s.length > width - 1) throw new Error(`tar: ${value} does not fit in ${width} bytes`);
  return s.padStart(width - 1, '0') + '\0';
}

/** Splits a path into ustar's prefix (≤155) and name (≤100) fields. */
function splitName(name) {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  throw new Error(`tar: the path ${name} is too long for a ustar header`);
}

/** One ustar header block. type: '0' file, '2' symlink, '5' directory. Owner root, mtime 0 (reproducible). */
function header({ name, mode, size = 0, type, linkname = '' }) {
  const b = Buffer.alloc(BLOCK);
  const { prefix, name: short } = splitName(name);
  if (Buffer.byteLength(linkname) > 100) throw new Error(`tar: the link target ${linkname} is too long`);
  b.write(short, 0, 100, 'utf8');
  b.write(octal(mode & 0o7777, 8), 100, 8, 'ascii');
  b.write(octal(0, 8), 108, 8, 'ascii');
  b.write(octal(0, 8), 116, 8, 'ascii');
  b.write(octal(size, 12), 124, 12, 'ascii');
  b.write(octal(0, 12), 136, 12, 'ascii');
  b.write('        ', 148, 8, 'ascii'); // the checksum is computed with this field as spaces
  b.write(type, 156, 1, 'ascii');
  b.write(linkname, 157, 100, 'utf8');
  b.write('ustar\0', 257, 6, 'ascii');
  b.write('00', 263, 2, 'ascii');
  b.write('root', 265, 32, 'ascii');
  b.write('root', 297, 32, 'ascii');
  b.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return b;
}

/** Appends to an open file while hashing what was written. */
class HashedWriter {
  constructor(fd) {
    this.fd = fd;
    this.hash = createHash('sha256');
    this.size = 0;
  }

  write(buf) {
    fs.writeSync(this.fd, buf);
    this.hash.update(buf);
    this.size += buf.length;
  }

  pad() {
    const rest = this.size % BLOCK;
    if (rest) this.write(Buffer.alloc(BLOCK - rest));
  }
}

/** Writes a tar of everything below `root` (sorted, owned by root, mtime 0) to `out`; returns its sha256 and size. */
export function writeLayerTar(root, out) {
  const fd = fs.openSync(out, 'w', 0o644);
  const w = new HashedWriter(fd);
  try {
    const walk = (rel) => {
      const entries = fs.readdirSync(path.join(root, rel)).sort();
      for (const entry of entries) {
        const relPath = rel ? `${rel}/${entry}` : entry;
        const full = path.join(root, relPath);
        const st = fs.lstatSync(full);
        if (st.isSymbolicLink()) {
          w.write(header({ name: relPath, mode: 0o777, type: '2', linkname: fs.readlinkSync(full) }));
        } else if (st.isDirectory()) {
          w.write(header({ name: `${relPath}/`, mode: st.mode, type: '5' }));
          walk(relPath);
        } else if (st.isFile()) {
          w.write(header({ name: relPath, mode: st.mode, size: st.size, type: '0' }));
          w.write(fs.readFileSync(full));
          w.pad();
        } else {
          throw new Error(`tar: ${full} is neither a file, a directory nor a symbolic link`);
        }
      }
    };
    walk('');
    w.write(Buffer.alloc(BLOCK * 2)); // end of archive
  } finally {
    fs.closeSync(fd);
  }
  return { digest: w.hash.digest('hex'), size: w.size };
}

/**
 * Writes `out`, an image archive of `rootfs` tagged `ref` (e.g. localhost/pause:v1.34.4) with the given entrypoint and
 * command. Written to a temp file and renamed, so a half-written archive is never left under the final name.
 */
export function writeImageArchive({ rootfs, ref, out, entrypoint, cmd, env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] }) {
  const tmpDir = fs.mkdtempSync(`${out}.tmp-`);
  try {
    const layerPath = path.join(tmpDir, 'layer.tar');
    const layer = writeLayerTar(rootfs, layerPath);
    const created = '1970-01-01T00:00:00Z';
    const config = {
      architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
      os: 'linux',
      created,
      config: { Env: env, WorkingDir: '/', ...(entrypoint ? { Entrypoint: entrypoint } : {}), ...(cmd ? { Cmd: cmd } : {}) },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layer.digest}`] },
      history: [{ created, created_by: 'vcluster-explorer scripts/lib/image-archive.mjs' }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configName = `${createHash('sha256').update(configBytes).digest('hex')}.json`;
    const layerName = `${layer.digest}/layer.tar`;
    const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [ref], Layers: [layerName] }]));

    const archivePath = path.join(tmpDir, 'image.tar');
    const fd = fs.openSync(archivePath, 'w', 0o644);
    const w = new HashedWriter(fd);
    try {
      const file = (name, bytes) => {
        w.write(header({ name, mode: 0o644, size: bytes.length, type: '0' }));
        w.write(bytes);
        w.pad();
      };
      file(configName, configBytes);
      w.write(header({ name: `${layer.digest}/`, mode: 0o755, type: '5' }));
      w.write(header({ name: layerName, mode: 0o644, size: layer.size, type: '0' }));
      const src = fs.openSync(layerPath, 'r');
      try {
        const chunk = Buffer.alloc(1 << 20);
        for (;;) {
          const n = fs.readSync(src, chunk, 0, chunk.length, null);
          if (n === 0) break;
          w.write(n === chunk.length ? chunk : chunk.subarray(0, n));
        }
      } finally {
        fs.closeSync(src);
      }
      w.pad();
      file('manifest.json', manifest);
      w.write(Buffer.alloc(BLOCK * 2));
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(archivePath, out);
    return { ref, out, layerDigest: `sha256:${layer.digest}`, size: fs.statSync(out).size };
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}
