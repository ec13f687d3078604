#!/usr/bin/env node
// The CLI is TypeScript loaded through tsx in this same process (no build step, and signals
// reach it directly rather than through a wrapper).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
