/**
 * The node flags the data API process is started with wherever LaunchDB starts it
 * (postgrest-manager's process driver, the container image's command, the bench):
 * `node ${DATA_API_NODE_FLAGS.join(' ')} data-api/dist/main.js`.
 *
 * V8 sizes the young generation for throughput, up to two 16 MB semi-spaces on 64-bit, and
 * under load a data API process grows to ~135 MB of RSS while it keeps ~15 MB alive. Capped at
 * 4 MB, it stays near 110 MB under the bench's loads, and falls back to ~85 MB once idle, with no
 * throughput loss the bench can tell apart from the machine's noise (see data-api/BENCH.md).
 * One process runs per project, so this is per project.
 */
export const DATA_API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
