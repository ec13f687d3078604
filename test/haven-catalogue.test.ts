import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectNames, withClient, withDatabase } from '@launchdb/common';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../platform-api/src/domain/projects/projects.test-support.ts';

interface CatalogueTask {
  title: string;
  description: string;
  recurrence: string | null;
  months: number[] | null;
}

interface CatalogueSupply {
  name: string;
  part_number: string | null;
  quantity: number;
  unit: string;
  reorder_below: number | null;
}

interface CatalogueEntry {
  key: string;
  name: string;
  category: string;
  description: string | null;
  tasks: CatalogueTask[];
  supplies: CatalogueSupply[];
}

/** The kinds of asset issue 12 names: a homeowner must find each of them in the catalogue. */
const REQUIRED_KEYS = [
  'furnace', 'heat_pump', 'central_ac', 'water_heater_tank', 'water_heater_tankless', 'water_softener', 'sump_pump',
  'well_pump', 'septic_tank', 'refrigerator', 'dishwasher', 'washer', 'dryer', 'range_hood', 'garbage_disposal',
  'smoke_detectors', 'co_detectors', 'fire_extinguisher', 'roof', 'gutters', 'chimney_fireplace', 'deck', 'garage_door',
  'lawn_mower', 'snow_blower', 'generator', 'irrigation', 'pool', 'hvac_humidifier', 'dehumidifier', 'window_door_seals',
];

/**
 * Haven's asset catalogue as a project provisioned with the haven template has it: the common
 * home assets, each with maintenance a scheduler can compute (an interval PostgreSQL accepts, or
 * months of the year, or a one-off) and supplies to shop by.
 */
describe('the Haven asset catalogue', () => {
  let platform: TestPlatform;
  let catalogue: CatalogueEntry[];
  const id = randomProjectId();
  const inProject = <T>(work: (client: pg.Client) => Promise<T>) => withClient(withDatabase(inject('postgresUrl'), projectNames(id).database), work);

  beforeAll(async () => {
    platform = await createTestPlatform();
    platform.created.add(id);
    await platform.provisioner().create({ id, name: 'catalogue', template: 'haven' });
    catalogue = await inProject(async (client) => (await client.query<CatalogueEntry>('select * from public.asset_templates order by key')).rows);
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('holds at least 30 assets, every kind the issue names among them, under snake_case keys', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(30);
    const keys = catalogue.map((entry) => entry.key);
    expect(keys.filter((key) => !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(key))).toEqual([]);
    expect(REQUIRED_KEYS.filter((key) => !keys.includes(key))).toEqual([]);
    expect(new Set(catalogue.map((entry) => entry.category))).toEqual(new Set(['hvac', 'plumbing', 'appliance', 'safety', 'electrical', 'exterior', 'outdoor']));
  });

  it('gives every asset named maintenance that recurs by interval, by months of the year, or once', () => {
    for (const entry of catalogue) {
      expect(entry.name.length, entry.key).toBeGreaterThan(0);
      expect(entry.tasks.length, entry.key).toBeGreaterThan(0);
      for (const task of entry.tasks) {
        const where = `${entry.key}: ${task.title}`;
        expect(Object.keys(task).sort(), where).toEqual(['description', 'months', 'recurrence', 'title']);
        expect(task.title.length, where).toBeGreaterThan(0);
        expect(task.description.length, where).toBeGreaterThan(0);
        expect(task.recurrence !== null && task.months !== null, `${where} has both a recurrence and months`).toBe(false);
        if (task.months === null) continue;
        expect(task.months.length, where).toBeGreaterThan(0);
        expect(task.months.every((month) => Number.isInteger(month) && month >= 1 && month <= 12), where).toBe(true);
        expect([...task.months].sort((a, b) => a - b), `${where}: months in order, once each`).toEqual([...new Set(task.months)]);
      }
      expect(new Set(entry.tasks.map((task) => task.title)).size, `${entry.key}: task titles are distinct`).toBe(entry.tasks.length);
    }
  });

  it('writes every recurrence as an interval PostgreSQL accepts and that moves time forward', async () => {
    const recurrences = [...new Set(catalogue.flatMap((entry) => entry.tasks.map((task) => task.recurrence)).filter((value) => value !== null))];
    expect(recurrences.length).toBeGreaterThan(0);
    const checked = await inProject(async (client) => {
      const results: Array<{ recurrence: string; positive: boolean | string }> = [];
      for (const recurrence of recurrences) {
        // one statement each, so a bad literal is named rather than failing them all
        const positive = await client
          .query<{ positive: boolean }>(`select $1::interval > interval '0' and current_date + $1::interval > current_date as positive`, [recurrence])
          .then(({ rows }) => rows[0]!.positive, (error: Error) => error.message);
        results.push({ recurrence, positive });
      }
      return results;
    });
    expect(checked.filter((result) => result.positive !== true)).toEqual([]);
  });

  it('lists supplies with a unit, a quantity and, when there is one, a generic part number', () => {
    for (const entry of catalogue) {
      for (const supply of entry.supplies) {
        const where = `${entry.key}: ${supply.name}`;
        expect(Object.keys(supply).sort(), where).toEqual(['name', 'part_number', 'quantity', 'reorder_below', 'unit']);
        expect(supply.name.length, where).toBeGreaterThan(0);
        expect(supply.unit.length, where).toBeGreaterThan(0);
        expect(supply.quantity, where).toBeGreaterThanOrEqual(0);
        if (supply.reorder_below !== null) expect(supply.reorder_below, where).toBeGreaterThanOrEqual(0);
        if (supply.part_number !== null) expect(supply.part_number, where).toMatch(/^[A-Z0-9]+(-[A-Z0-9]+)+$/);
      }
    }
    const furnace = catalogue.find((entry) => entry.key === 'furnace')!;
    expect(furnace.supplies).toContainEqual(expect.objectContaining({ name: 'Furnace filter 20x25x4 MERV 11', part_number: 'FLT-20254-M11' }));
  });

  it('gives a homeowner any asset of it in one call: its tasks scheduled from today, its supplies listed', async () => {
    const added = await inProject(async (client) => {
      await client.query('begin');
      try {
        const { rows } = await client.query<{ id: string }>(
          `insert into auth.users (id, aud, role, email, created_at, updated_at) values (gen_random_uuid(), 'authenticated', 'authenticated', 'cat@example.com', now(), now()) returning id`,
        );
        await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: rows[0]!.id, role: 'authenticated' })]);
        await client.query('set local role authenticated');
        const house = (await client.query<{ id: string }>(`insert into public.properties (name) values ('Catalogue house') returning id`)).rows[0]!.id;
        const assets: Array<{ key: string; tasks: Array<{ next_due_on: string; recurrence: unknown; recurrence_months: number[] | null }>; supplies: unknown[] }> = [];
        for (const entry of catalogue) {
          const { rows: [row] } = await client.query<{ asset: (typeof assets)[number] }>('select public.add_asset_from_template($1, $2) as asset', [house, entry.key]);
          assets.push({ ...row!.asset, key: entry.key });
        }
        const today = (await client.query<{ today: string }>('select current_date::text as today')).rows[0]!.today;
        return { assets, today };
      } finally {
        await client.query('rollback');
      }
    });
    for (const asset of added.assets) {
      const entry = catalogue.find((candidate) => candidate.key === asset.key)!;
      expect(asset.tasks, asset.key).toHaveLength(entry.tasks.length);
      expect(asset.supplies, asset.key).toHaveLength(entry.supplies.length);
      expect(asset.tasks.filter((task) => !(task.next_due_on > added.today)), asset.key).toEqual([]);
    }
  });

  it('carries the usual advice of fire codes, the EPA and manufacturers', () => {
    const schedule = (key: string) =>
      catalogue.find((entry) => entry.key === key)!.tasks.map((task) => task.recurrence ?? (task.months ? `months ${task.months.join(',')}` : 'once'));
    expect(schedule('smoke_detectors')).toEqual(expect.arrayContaining(['1 month', '1 year', '10 years']));
    expect(schedule('co_detectors')).toEqual(expect.arrayContaining(['1 month', '7 years']));
    expect(schedule('septic_tank')).toEqual(expect.arrayContaining(['3 years']));
    expect(schedule('water_heater_tank')).toEqual(expect.arrayContaining(['1 year', '3 years']));
    expect(schedule('dryer')).toEqual(expect.arrayContaining(['1 year']));
    expect(schedule('gutters')).toEqual(expect.arrayContaining(['months 4,11']));
    expect(schedule('sump_pump')).toEqual(expect.arrayContaining(['3 months']));
    expect(schedule('garage_door')).toEqual(expect.arrayContaining(['6 months']));
  });
});
