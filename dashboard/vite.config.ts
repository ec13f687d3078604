import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { jsBudget } from './js-budget.ts';

// Haven's home screen must stay light on a phone: 150 KiB of gzipped JavaScript at most
export default defineConfig({ plugins: [sveltekit(), jsBudget(150)] });
