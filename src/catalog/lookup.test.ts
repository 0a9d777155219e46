import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DoqlError } from '../errors.js';
import { compileSpec } from './compile.js';
import { closestNames, editDistance, findMethod, findResource, findService } from './lookup.js';
import { readSpecFile } from './spec-file.js';

const fixture = fileURLToPath(new URL('./fixtures/tiny-spec.yaml', import.meta.url));
const { catalog } = compileSpec(readSpecFile(fixture), { file: fixture, source: fixture });

function failure(fn: () => unknown): DoqlError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DoqlError);
    return err as DoqlError;
  }
  throw new Error('expected a DoqlError');
}

describe('edit distance', () => {
  it.each([
    ['backups', 'backups', 0],
    ['backup', 'backups', 1],
    ['bakcups', 'backups', 1], // a swap is one edit
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %i', (a, b, d) => expect(editDistance(a, b)).toBe(d));

  it('suggests only names within reach, closest first', () => {
    expect(closestNames('clustr', ['clusters', 'cluster', 'backups'])).toEqual(['cluster', 'clusters']);
    expect(closestNames('zzz', ['clusters', 'backups'])).toEqual([]);
  });
});

describe('findResource', () => {
  it('finds a resource by its three-part name, quoted or not, in any case', () => {
    expect(findResource(catalog, 'digitalocean.databases.backups').id).toBe('digitalocean.databases.backups');
    expect(findResource(catalog, '"digitalocean.databases.backups"').name).toBe('backups');
    expect(findResource(catalog, 'DigitalOcean.Databases.Backups').name).toBe('backups');
  });

  it.each([
    ['digitalocean.databases.backup', 'unknown resource digitalocean.databases.backup: did you mean digitalocean.databases.backups?'],
    ['digitalocean.database.clusters', 'unknown resource digitalocean.database.clusters: did you mean digitalocean.databases.clusters?'],
    ['databases.backups', 'unknown resource databases.backups: did you mean digitalocean.databases.backups?'],
    ['aws.ec2.instances', 'unknown provider aws'],
    ['digitalocean.databases.zzzzzzzz', 'unknown resource digitalocean.databases.zzzzzzzz'],
  ])('%s fails with "%s"', (name, message) => {
    const err = failure(() => findResource(catalog, name));
    expect(err.message).toBe(message);
    expect(err.code).toBe('not_found');
    expect(err.sqlState).toBe('42P01');
  });

  it('hints where to look when nothing is close', () => {
    expect(failure(() => findResource(catalog, 'digitalocean.databases.zzzzzzzz')).hint).toMatch(/SHOW RESOURCES IN digitalocean.databases/);
    expect(failure(() => findResource(catalog, 'digitalocean.nope.zzzzzzzz')).hint).toMatch(/unknown service digitalocean.nope/);
  });

  it('names `doql registry pull` for a name a newer spec may have, keeping the closest-name hint', () => {
    const unknownService = failure(() => findResource(catalog, 'digitalocean.genai.agents'));
    expect(unknownService.hint).toMatch(/unknown service digitalocean\.genai; .*`doql registry pull`/);
    const unknownResource = failure(() => findResource(catalog, 'digitalocean.databases.backupz'));
    expect(unknownResource.message).toBe('unknown resource digitalocean.databases.backupz: did you mean digitalocean.databases.backups?');
    expect(unknownResource.hint).toMatch(/SHOW RESOURCES IN digitalocean\.databases lists them; `doql registry pull`/);
  });
});

describe('findService', () => {
  it('finds a service with or without the provider', () => {
    expect(findService(catalog, 'digitalocean.compute').name).toBe('compute');
    expect(findService(catalog, 'databases').name).toBe('databases');
  });

  it('names the closest services', () => {
    const err = failure(() => findService(catalog, 'digitalocean.databse'));
    expect(err.message).toBe('unknown service digitalocean.databse: did you mean digitalocean.databases?');
    expect(err.sqlState).toBe('42P01');
    expect(failure(() => findService(catalog, 'compte')).message).toBe('unknown service compte: did you mean compute?');
    expect(failure(() => findService(catalog, 'gcp.compute')).message).toBe('unknown provider gcp');
    expect(failure(() => findService(catalog, 'digitalocean.databse')).hint).toMatch(/`doql registry pull` installs the latest spec/);
  });
});

describe('findMethod', () => {
  const clusters = findResource(catalog, 'digitalocean.databases.clusters');

  it('finds a method by its StackQL name', () => {
    expect(findMethod(clusters, 'databases_get_cluster').operationId).toBe('databases_get_cluster');
  });

  it('names the closest methods and lists them all in the hint', () => {
    const err = failure(() => findMethod(clusters, 'databases_get_clusters'));
    expect(err.message).toBe(
      'unknown method databases_get_clusters of digitalocean.databases.clusters: did you mean databases_get_cluster or databases_list_clusters?',
    );
    expect(err.code).toBe('not_found');
    expect(err.sqlState).toBe('42P01');
    expect(err.hint).toContain('databases_create_cluster');
  });
});
