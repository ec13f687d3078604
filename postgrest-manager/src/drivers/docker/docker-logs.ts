/**
 * The lines of `GET /containers/{id}/logs` without a TTY: frames of an 8-byte header (stream
 * type, three zero bytes, big-endian payload length) and the payload. Text without such headers
 * (a container with a TTY) is split as it is.
 */
export function demultiplexDockerLogs(data: Buffer): string[] {
  let text = '';
  let offset = 0;
  const framed = data.length >= 8 && data[0]! <= 2 && data[1] === 0 && data[2] === 0 && data[3] === 0;
  if (!framed) {
    text = data.toString('utf8');
  } else {
    while (offset + 8 <= data.length) {
      const length = data.readUInt32BE(offset + 4);
      text += data.subarray(offset + 8, Math.min(data.length, offset + 8 + length)).toString('utf8');
      offset += 8 + length;
    }
  }
  return text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line)).filter((line) => line !== '');
}
