// A UDP socket bound for a test, collecting every datagram it receives.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';

export function bindUdp(address: string, port: number): Promise<{ sock: UdpSocket; got: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    sock.once('error', reject);
    sock.bind(port, address, () => resolve({ sock, got }));
  });
}
