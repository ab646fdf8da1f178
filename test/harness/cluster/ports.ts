// Free ports and loopback addresses for the processes the harness starts (API servers, etcd, proxies, the node).
import net from 'node:net';

/** A port that is free right now on `host` (the kernel picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

const usedAddresses = new Set<string>();

/**
 * A loopback address 127.X.Y.Z (X in 64..254) not used by this process, whose `port` is free right now. Random, so that
 * parallel test runs on one machine do not collide on e.g. port 443.
 */
export async function allocateLoopbackAddress(port = 443): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const a = `127.${64 + Math.floor(Math.random() * 190)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
    if (usedAddresses.has(a)) continue;
    if (await canListen(a, port)) {
      usedAddresses.add(a);
      return a;
    }
  }
  throw new Error(`no free loopback address with port ${port} (binding ports below 1024 needs root)`);
}
